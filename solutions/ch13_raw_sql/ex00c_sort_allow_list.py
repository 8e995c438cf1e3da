"""Chapter 13, step 3: the reference solution.

Identifiers cannot be bound, so they are chosen from an allow-list: `Literal` types make
FastAPI refuse anything else with 422, and a dictionary maps each allowed choice to SQL text
written in this file.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import ForeignKey, String, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class ApiToken(Base):
    """Secrets in the same database: what an injected UNION goes after."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token: Mapped[str] = mapped_column(String(64))


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Fastlings directory", lifespan=lifespan)


class UserRead(BaseModel):
    id: int
    name: str


# Every statement the endpoint can ever send: SQL written here, never taken from the request.
LIST_USERS = {
    ("id", "asc"): text("SELECT id, name FROM users ORDER BY id ASC"),
    ("id", "desc"): text("SELECT id, name FROM users ORDER BY id DESC"),
    ("name", "asc"): text("SELECT id, name FROM users ORDER BY name ASC, id ASC"),
    ("name", "desc"): text("SELECT id, name FROM users ORDER BY name DESC, id DESC"),
}


@app.get("/users", response_model=list[UserRead])
async def list_users(
    db: SessionDep, sort: Literal["id", "name"] = "id", order: Literal["asc", "desc"] = "asc"
) -> list[UserRead]:
    result = await db.execute(LIST_USERS[sort, order])
    return [UserRead(id=row.id, name=row.name) for row in result]
