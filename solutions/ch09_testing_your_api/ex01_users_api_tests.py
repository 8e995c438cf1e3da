"""Chapter 9, exercise 1: the reference solution, a test suite for the users API.

Every test gets a client wired to the app in memory, a session dependency overridden to use a
throw-away test database, and the override removed afterwards. The tests check the contract
(201, the public fields only, 422 on a bad email) and the effect (the row is in the test
database, with a hash and not the password).

Run it alone with: pytest exercises/ch09_testing_your_api/ex01_users_api_tests.py
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from checks.ch09_testing_your_api.users_app import Base, User, app, get_db

ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}
PUBLIC_FIELDS = {"id", "email", "name"}

# Explicit, so the file behaves the same whatever `asyncio_mode` the project configures.
pytestmark = pytest.mark.asyncio


# A test database per test: TEST_DATABASE_URL when the runner provides one, else a temp file.
@pytest_asyncio.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = os.environ.get("TEST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    test_engine = create_async_engine(url)
    async with test_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    yield test_engine
    async with test_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
    await test_engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# The override is an async generator, like get_db: it yields a session on the test database.
# The client talks to the app through ASGITransport (httpx 0.28 removed `app=`), and the
# override is removed after every test so that no test leaks into the next.
@pytest_asyncio.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    async def override_get_db() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            yield session

    app.dependency_overrides[get_db] = override_get_db
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
            yield http
    finally:
        app.dependency_overrides.clear()


async def test_signup_answers_201_with_public_fields_only(client: AsyncClient) -> None:
    response = await client.post("/users", json=ADA)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert body["email"] == ADA["email"] and body["name"] == ADA["name"]
    assert "password" not in response.text and "$argon2" not in response.text


async def test_signup_stores_a_hash_in_the_test_database(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post("/users", json=ADA)
    assert response.status_code == 201
    # Read the row through the test session: this proves the override took effect.
    async with sessionmaker() as session:
        user = await session.get(User, response.json()["id"])
    assert user is not None
    assert user.email == ADA["email"]
    assert user.password_hash != ADA["password"] and user.password_hash.startswith("$argon2")


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "@example.com", ""])
async def test_signup_rejects_an_invalid_email(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> None:
    response = await client.post("/users", json={**ADA, "email": email})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_read_user_returns_the_public_fields_or_404(client: AsyncClient) -> None:
    created = (await client.post("/users", json=ADA)).json()
    response = await client.get(f"/users/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert (await client.get(f"/users/{created['id'] + 1}")).status_code == 404
