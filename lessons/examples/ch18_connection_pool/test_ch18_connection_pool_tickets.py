"""Tests of the chapter 18 worked example: the help desk's pool under load."""

import asyncio
import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
from httpx import ASGITransport, AsyncClient


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'tickets.db'}")
    module = importlib.import_module("lessons.examples.ch18_connection_pool.tickets")
    return importlib.reload(module)  # a fresh engine and pool on this test's database


@pytest.fixture
async def client(desk: ModuleType) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=desk.app)
    async with (
        desk.app.router.lifespan_context(desk.app),
        AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


def test_the_pool_is_bounded(desk: ModuleType) -> None:
    pool = desk.engine.pool
    assert type(pool).__name__ == "AsyncAdaptedQueuePool"  # the default for a file database
    assert (pool.size(), pool.timeout()) == (3, 3)
    assert pool.status().startswith("Pool size: 3")


async def test_no_connection_is_held_during_the_slow_calls(
    client: AsyncClient, desk: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []
    real_page = desk.page_on_call

    async def watching_page(ticket_id: int) -> None:
        held.append(desk.engine.pool.checkedout())
        await real_page(ticket_id)

    monkeypatch.setattr(desk, "page_on_call", watching_page)
    created = await client.post("/tickets", json={"subject": "Printer on fire"})
    escalated = await client.post(f"/tickets/{created.json()['id']}/escalate")
    assert escalated.json()["escalated"] is True
    assert held == [0]


async def test_error_paths_give_their_connection_back(
    client: AsyncClient, desk: ModuleType
) -> None:
    for _ in range(5):  # more 404s than the pool has connections
        assert (await client.get("/tickets/404")).status_code == 404
        assert desk.engine.pool.checkedout() == 0


async def test_a_burst_all_succeeds_on_four_connections(
    client: AsyncClient, desk: ModuleType
) -> None:
    ticket = (await client.post("/tickets", json={"subject": "VPN down"})).json()
    burst = [client.post(f"/tickets/{ticket['id']}/escalate") for _ in range(20)]
    responses = await asyncio.gather(*burst)
    assert {r.status_code for r in responses} == {200}
    assert desk.engine.pool.checkedout() == 0
    assert desk.engine.pool.checkedin() <= 3  # the overflow connection was closed on return
