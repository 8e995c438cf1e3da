"""Chapter 9, step 2: the tests get their own database.

The test below signs a user up and looks for the row in the tests' own database. It fails on
the correct app: nothing tells the app to use that database. The checks also run it against a
copy of the app that ignores `dependency_overrides`, where it must fail. Every `# TODO:` marks a
place to change.

The file starts with a copy of the users API: read it. The checks always test their own
copy, so changes above the marker line have no effect. Your tests go below the marker. They
share the module with the app: do not reuse its names (`engine`, `SessionLocal`, `app`,
`get_db`, `Base`, `User`).

Run the checks, or just your tests:

    pytest checks/ch09_testing_your_api/test_ex00b_test_database.py
    pytest -p anyio exercises/ch09_testing_your_api/ex00b_test_database.py

The lesson: lessons/ch09_testing_your_api.md
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
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

USER = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}

pytestmark = pytest.mark.anyio


@pytest.fixture
async def scratch_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database for the tests only: TEST_DATABASE_URL when the runner gives one."""
    url = os.environ.get("TEST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    db_engine = create_async_engine(url)
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    yield db_engine
    await db_engine.dispose()


@pytest.fixture
def scratch_sessions(scratch_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(scratch_engine, expire_on_commit=False)


@pytest.fixture
async def client(
    scratch_sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncClient]:
    # TODO: the app still opens its sessions on its own database, so the test below looks for
    # the new user in the wrong place (and a real suite would write into a real database).
    # Make the app get its sessions from the test database while a test runs, and leave the
    # app as you found it afterwards, so that no test leaks into the next.
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def test_signup_is_stored_in_the_test_database(
    client: AsyncClient, scratch_sessions: async_sessionmaker[AsyncSession]
) -> None:
    response = await client.post("/users", json=USER)
    assert response.status_code == 201
    async with scratch_sessions() as session:
        assert await session.get(User, response.json()["id"]) is not None
