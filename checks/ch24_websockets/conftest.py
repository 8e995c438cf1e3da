"""The `open_chat` fixture: the learner's app with in-process WebSocket clients (`_ws.py`).

`async with open_chat() as chat:` inside the check: the app's lifespan runs and its
dependency overrides are cleared afterwards (through `make_client`), `chat.open(path)` joins
a socket, `chat.http` is the usual httpx client for the app's HTTP routes, and every socket is
closed when the block ends. The check holds the context itself so that everything the sockets
start runs, and ends, in the check's own task.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import ModuleType

import pytest

from checks.ch24_websockets._ws import Chat
from fastlings.testing import ClientFactory, require


@pytest.fixture
def open_chat(
    module: ModuleType, make_client: ClientFactory, lesson: str
) -> Callable[[], AbstractAsyncContextManager[Chat]]:
    app = require(module, "app", "the FastAPI application as a top-level `app`", lesson)

    @asynccontextmanager
    async def factory() -> AsyncIterator[Chat]:
        async with make_client(app) as http:  # lifespan entered; overrides cleared afterwards
            chat = Chat(app, http, getattr(module, "__file__", None))
            try:
                yield chat
            finally:
                await chat.close_all()

    return factory
