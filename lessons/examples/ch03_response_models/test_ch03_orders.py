"""Tests of the chapter 3 worked example: no body carries the card token, except where the
deny-list forgets it."""

import importlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from httpx import ASGITransport, AsyncClient

TOKEN = "tok_test_4242424242"  # noqa: S105 (a made-up token, the secret to look for)
ORDER = {"item": "Dune", "quantity": 2, "card_token": TOKEN}


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}")
    import lessons.examples.ch03_response_models.orders as module

    return importlib.reload(module)


@pytest.fixture
async def client(example: ModuleType) -> AsyncIterator[AsyncClient]:
    app = example.app
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


async def test_public_routes_never_send_the_token(client: AsyncClient) -> None:
    created = await client.post("/orders", json=ORDER)
    assert created.status_code == 201
    assert set(created.json()) == {"id", "item", "quantity", "placed_at"}
    order_id = created.json()["id"]
    for response in (await client.get(f"/orders/{order_id}"), await client.get("/orders")):
        assert response.status_code == 200
        assert TOKEN not in response.text
    assert datetime.fromisoformat(created.json()["placed_at"])


async def test_exclude_hides_one_row_but_not_the_items_of_a_list(client: AsyncClient) -> None:
    order_id = (await client.post("/orders", json=ORDER)).json()["id"]
    assert TOKEN not in (await client.get(f"/legacy-orders/{order_id}")).text
    assert TOKEN in (await client.get("/legacy-orders")).text


def test_openapi_documents_the_token_only_on_the_deny_list(example: ModuleType) -> None:
    schemas = example.app.openapi()["components"]["schemas"]
    assert "card_token" not in schemas["OrderPublic"]["properties"]
    assert "card_token" in schemas["OrderRecord"]["properties"]
    assert schemas["OrderPublic"]["properties"]["placed_at"]["format"] == "date-time"
