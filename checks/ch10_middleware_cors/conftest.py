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


async def assert_sent_id_echoed_or_fresh(
    client: httpx.AsyncClient, sent: str, earlier: list[str], teach: Teach, observed: str
) -> None:
    """GET /items/1 with `X-Request-ID: sent` gets back a non-empty id that none of the
    `earlier` responses carried; `observed` is the failure's first sentence, with `{got!r}`
    where the id that came back goes."""
    response = await client.get("/items/1", headers={"X-Request-ID": sent})
    got = response.headers.get("x-request-id", "")
    assert got.strip() and got not in earlier, teach(
        observed.format(got=got),
        "the client's id echoed back, or a fresh one: never empty, never an earlier id",
    )
