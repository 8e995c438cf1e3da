"""Chapter 10's checks drive the learner's app through the plugin's `make_client` (lifespan
entered, overrides cleared). These apps have no database, so `wired` is not needed."""

from collections.abc import AsyncIterator
from types import ModuleType

import httpx
import pytest

from checks.ch10_middleware_cors._app import fastapi_app
from fastlings.testing import ClientFactory, Teach


@pytest.fixture
async def client(
    module: ModuleType, make_client: ClientFactory, teach: Teach
) -> AsyncIterator[httpx.AsyncClient]:
    """The learner's app over ASGITransport; unhandled exceptions become 500 responses."""
    async with make_client(fastapi_app(module, teach)) as http:
        yield http
