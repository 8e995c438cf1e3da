"""Tests for the chapter 8 worked example: answers, and waits that overlap."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from lessons.examples.ch08_blocking_calls import bookshop


class Prices:
    """A stand-in prices service: busy (503) for the first `busy` calls of each book."""

    def __init__(self, busy: int = 0) -> None:
        self.busy = busy
        self.calls: dict[str, int] = {}

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.02)
        seen = self.calls[request.url.path] = self.calls.get(request.url.path, 0) + 1
        if seen <= self.busy:
            return httpx.Response(503)
        return httpx.Response(200, json={"euros": 12.5})


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'books.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(bookshop.Base.metadata.create_all)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with factory() as session:
        session.add_all(
            [
                bookshop.Book(id=1, title="Middlemarch", author="George Eliot"),
                bookshop.Book(id=2, title="Beloved", author="Toni Morrison"),
            ]
        )
        await session.commit()
    yield factory
    await engine.dispose()


def client_for(sessions: async_sessionmaker[AsyncSession], prices: Prices) -> AsyncClient:
    async def test_db() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    prices_client = httpx.AsyncClient(
        transport=httpx.MockTransport(prices.handle), base_url="http://prices"
    )
    bookshop.app.dependency_overrides[bookshop.get_db] = test_db
    bookshop.app.dependency_overrides[bookshop.get_prices] = lambda: prices_client
    return AsyncClient(transport=ASGITransport(app=bookshop.app), base_url="http://test")


@pytest.fixture
async def client(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    async with client_for(sessions, Prices(busy=1)) as http:
        yield http
    bookshop.app.dependency_overrides.clear()


async def test_books_are_listed_by_title(client: AsyncClient) -> None:
    response = await client.get("/books")
    assert response.status_code == 200
    assert [book["title"] for book in response.json()] == ["Beloved", "Middlemarch"]


async def test_busy_prices_service_is_retried_after_a_pause(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bookshop, "RETRY_AFTER", 0.05)
    start = time.perf_counter()
    responses = await asyncio.gather(*(client.get(f"/books/{n}/price") for n in (1, 2, 1, 2)))
    took = time.perf_counter() - start
    assert [r.status_code for r in responses] == [200] * 4
    assert responses[0].json() == {"book_id": 1, "euros": 12.5}
    # Four requests that each wait 20 + 50 + 20 ms overlap: one after another would be 360 ms.
    assert 0.09 <= took < 0.25


async def test_blocking_blurb_runs_in_a_worker_thread(client: AsyncClient) -> None:
    start = time.perf_counter()
    responses = await asyncio.gather(*(client.get("/books/1/blurb") for _ in range(8)))
    took = time.perf_counter() - start
    assert {r.json()["blurb"] for r in responses} == {"Middlemarch: a book you will not put down."}
    assert 0.05 <= took < 0.3  # eight 50 ms blocking calls side by side (one by one: 400 ms)
    assert (await client.get("/books/99/blurb")).status_code == 404


async def test_blocking_courier_in_a_def_endpoint_leaves_the_loop_free(
    client: AsyncClient,
) -> None:
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:  # sleeps 2 ms at a time and records how late it woke up
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    responses = await asyncio.gather(*(client.get("/shipping/quote?grams=500") for _ in range(4)))
    took = time.perf_counter() - start
    done.set()
    await task
    assert [r.json() for r in responses] == [{"euros": 4.1}] * 4
    assert 0.1 <= took < 0.3  # four 100 ms blocking calls side by side (one by one: 400 ms)
    assert max(gaps) < 0.08  # the loop was never blocked for a whole call (100 ms)
