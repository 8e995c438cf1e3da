"""Tests for the chapter 5 worked example: the session per request, overridable in tests."""

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

SCRATCH = tempfile.TemporaryDirectory(prefix="orders-")  # removed when the test run ends
os.environ.setdefault(
    "ORDERS_DATABASE_URL", f"sqlite+aiosqlite:///{Path(SCRATCH.name) / 'orders.db'}"
)
from lessons.examples.ch05_async_sessions import orders  # noqa: E402 - after its database URL


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    async with (
        orders.app.router.lifespan_context(orders.app),
        AsyncClient(transport=ASGITransport(app=orders.app), base_url="http://test") as http,
    ):
        yield http
    orders.app.dependency_overrides.clear()


async def test_placed_order_is_returned_and_listed(client: AsyncClient) -> None:
    placed = await client.post("/orders", json={"item": "tea", "quantity": 3})
    assert placed.status_code == 201
    body = placed.json()
    assert body["item"] == "tea" and body["shipped"] is False
    listed = (await client.get("/orders")).json()
    assert body in listed


async def test_every_request_gets_its_own_session_and_dependencies_share_it(
    client: AsyncClient,
) -> None:
    handed_out: list[AsyncSession] = []

    async def recording_session() -> AsyncIterator[AsyncSession]:
        async with orders.OrderSession() as session:
            handed_out.append(session)
            yield session

    orders.app.dependency_overrides[orders.get_session] = recording_session
    placed = (await client.post("/orders", json={"item": "jam", "quantity": 1})).json()
    shipped = await client.post(f"/orders/{placed['id']}/ship")
    again = await client.post(f"/orders/{placed['id']}/ship")
    assert shipped.status_code == 200 and shipped.json()["shipped"] is True
    assert again.status_code == 404
    # Three requests, three sessions: the endpoint and get_open_order shared one each time.
    assert len(handed_out) == 3 and len({id(s) for s in handed_out}) == 3


async def test_sessions_are_closed_after_each_request(client: AsyncClient) -> None:
    for _ in range(5):
        await client.post("/orders", json={"item": "cake", "quantity": 2})
        await client.get("/orders")
        assert orders.orders_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
