"""The worked example of chapter 9: tests for the recipes API, in FastAPI's docs style.

`pytest.mark.anyio` (anyio's plugin: `pytest -p anyio` here, since the course disables plugin
auto-loading), an in-memory client, the tests' own database through `dependency_overrides`,
and assertions on the contract and on the effect.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from lessons.examples.ch09_testing_your_api.recipes import Base, Recipe, app, get_session

pytestmark = pytest.mark.anyio

SOUP = {"title": "Tomato soup", "minutes": 30, "secret_ingredient": "a pinch of sugar"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def recipe_db(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database of the tests' own, fresh for every test."""
    db = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'recipes.db'}")
    async with db.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(db, expire_on_commit=False)
    await db.dispose()


@pytest.fixture
async def client(recipe_db: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    """The app in memory, its sessions taken from the tests' database; afterwards the app is
    left as it was found, so no test leaks into the next."""

    async def session_on_recipe_db() -> AsyncIterator[AsyncSession]:
        async with recipe_db() as session:
            yield session

    app.dependency_overrides[get_session] = session_on_recipe_db
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as http:
            yield http
    finally:
        app.dependency_overrides.clear()


async def test_new_recipe_answers_201_with_the_public_fields(client: AsyncClient) -> None:
    response = await client.post("/recipes", json=SOUP)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "title", "minutes"}  # exactly these: nothing secret leaks
    assert (body["title"], body["minutes"]) == (SOUP["title"], SOUP["minutes"])


async def test_new_recipe_is_in_the_tests_database(
    client: AsyncClient, recipe_db: async_sessionmaker[AsyncSession]
) -> None:
    created = (await client.post("/recipes", json=SOUP)).json()
    # Read through the tests' own session: only there if the app used the override.
    async with recipe_db() as session:
        stored = await session.get(Recipe, created["id"])
    assert stored is not None and stored.secret_ingredient == SOUP["secret_ingredient"]


@pytest.mark.parametrize("minutes", [0, 601, "soon"])
async def test_impossible_cooking_time_is_a_422_and_stores_nothing(
    client: AsyncClient, recipe_db: async_sessionmaker[AsyncSession], minutes: object
) -> None:
    response = await client.post("/recipes", json={**SOUP, "minutes": minutes})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "minutes"]
    async with recipe_db() as session:
        assert await session.scalar(select(func.count()).select_from(Recipe)) == 0


async def test_reading_back_gives_the_same_recipe_or_404(client: AsyncClient) -> None:
    created = (await client.post("/recipes", json=SOUP)).json()
    assert (await client.get(f"/recipes/{created['id']}")).json() == created
    assert (await client.get(f"/recipes/{created['id'] + 1}")).status_code == 404
