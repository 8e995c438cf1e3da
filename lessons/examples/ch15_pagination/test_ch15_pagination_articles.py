"""Tests for the chapter 15 worked example: bounds, total, total order and keyset."""

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from lessons.examples.ch15_pagination import articles

DAYS = [dt.date(2026, 5, d) for d in (1, 1, 2, 2, 2, 3)]  # ties on the same day


@pytest.fixture
async def maker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'articles.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(articles.Base.metadata.create_all)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    async with factory() as db:
        db.add_all(
            articles.Article(id=100 + n, title=f"a{n}", published_on=DAYS[n % len(DAYS)])
            for n in range(30)
        )
        await db.commit()
    yield factory
    await engine.dispose()


@pytest.fixture
async def client(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    async def get_db() -> AsyncIterator[AsyncSession]:
        async with maker() as session:
            yield session

    articles.app.dependency_overrides[articles.get_db] = get_db
    async with AsyncClient(transport=ASGITransport(app=articles.app), base_url="http://t") as c:
        yield c
    articles.app.dependency_overrides.clear()


def newest_first_ids() -> list[int]:
    rows = [(DAYS[n % len(DAYS)], 100 + n) for n in range(30)]
    return [i for _, i in sorted(rows, reverse=True)]


@pytest.mark.parametrize("params", [{"limit": 51}, {"limit": 0}, {"offset": -1}])
async def test_out_of_bounds_gets_422(client: AsyncClient, params: dict[str, int]) -> None:
    response = await client.get("/articles", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", next(iter(params))]


async def test_bounds_are_in_openapi() -> None:
    operation = articles.app.openapi()["paths"]["/articles"]["get"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 50)


async def test_total_and_total_order(client: AsyncClient) -> None:
    ids: list[int] = []
    for offset in range(0, 30, 7):
        body = (await client.get("/articles", params={"limit": 7, "offset": offset})).json()
        assert body["total"] == 30
        ids.extend(item["id"] for item in body["items"])
    assert ids == newest_first_ids()


async def test_keyset_walk_survives_inserts(
    client: AsyncClient, maker: async_sessionmaker[AsyncSession]
) -> None:
    ids: list[int] = []
    cursor = None
    for n in range(20):
        params: dict[str, str | int] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/articles/feed", params=params)).json()
        ids.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
        async with maker() as db:  # a newer article arrives between two pages
            db.add(articles.Article(id=900 + n, title="new", published_on=dt.date(2026, 6, 1)))
            await db.commit()
    assert ids == newest_first_ids()


async def test_bad_cursor_gets_400(client: AsyncClient) -> None:
    response = await client.get("/articles/feed", params={"cursor": "garbage"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor"}
