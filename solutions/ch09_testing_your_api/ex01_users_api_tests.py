"""Chapter 9, exercise 1: the reference solution, a test suite for the users API.

Every test gets a client wired to the app in memory, a session dependency overridden to use a
throw-away test database, and the override removed afterwards. The tests check the contract
(201, the public fields only, 422 on a bad email) and the effect (the row is in the test
database, with a hash and not the password).

The file starts with a copy of the users API: read it. The checks always test their own
copy, so changes above the marker line have no effect. Your tests go below the marker. They
share the module with the app: do not reuse its names (`engine`, `SessionLocal`, `app`,
`get_db`, `Base`, `User`).
"""

# ruff: noqa: E402 (the tests' imports follow the app)

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The app's own ("production") database. Tests must not write here: they override get_db.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

# Argon2 with a deliberately low cost, so that a test run hashes in microseconds. A real
# deployment uses `PasswordHash.recommended()` (about 0.1-0.4 s per hash).
password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=128)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(
        email=payload.email,
        name=payload.name,
        password_hash=password_hash.hash(payload.password),
    )
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id: int, db: SessionDep) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
# ---- Your tests start here ----

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

ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}
PUBLIC_FIELDS = {"id", "email", "name"}

# Explicit, so the file behaves the same whatever `asyncio_mode` the project configures.
pytestmark = pytest.mark.asyncio


# A test database per test: TEST_DATABASE_URL when the runner provides one, else a temp file.
@pytest_asyncio.fixture
async def scratch_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
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
def scratch_sessions(scratch_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(scratch_engine, expire_on_commit=False)


# The override is an async generator, like get_db: it yields a session on the test database.
# The client talks to the app through ASGITransport (httpx 0.28 removed `app=`), and the
# override is removed after every test so that no test leaks into the next.
@pytest_asyncio.fixture
async def client(scratch_sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncClient]:
    async def override_get_db() -> AsyncIterator[AsyncSession]:
        async with scratch_sessions() as session:
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
    client: AsyncClient, scratch_sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post("/users", json=ADA)
    assert response.status_code == 201
    # Read the row through the test session: this proves the override took effect.
    async with scratch_sessions() as session:
        user = await session.get(User, response.json()["id"])
    assert user is not None
    assert user.email == ADA["email"]
    assert user.password_hash != ADA["password"] and user.password_hash.startswith("$argon2")


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "@example.com", ""])
async def test_signup_rejects_an_invalid_email(
    client: AsyncClient, scratch_sessions: async_sessionmaker[AsyncSession], email: str
) -> None:
    response = await client.post("/users", json={**ADA, "email": email})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    async with scratch_sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_read_user_returns_the_public_fields_or_404(client: AsyncClient) -> None:
    created = (await client.post("/users", json=ADA)).json()
    response = await client.get(f"/users/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    assert (await client.get(f"/users/{created['id'] + 1}")).status_code == 404
