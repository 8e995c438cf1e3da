"""Chapter 13, exercise 1: the reference solution.

The SQL text is a constant with one bound parameter, `:pattern`; the request's text travels
separately, as a value the database never parses as SQL. The pattern escapes LIKE's wildcards so
the text is matched literally, and `lower()` on both sides makes the match case-insensitive on
SQLite and PostgreSQL alike.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

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


# The SQL is a constant: written once, reviewed once, never built from request data. `:pattern`
# is a bound parameter; the driver sends its value apart from the SQL (`?` for SQLite, `$1` for
# asyncpg). lower() on both sides: LIKE ignores ASCII case on SQLite but not on PostgreSQL.
SEARCH_USERS = text(
    "SELECT id, name FROM users WHERE lower(name) LIKE lower(:pattern) ESCAPE '\\' ORDER BY id"
)


def contains_pattern(fragment: str) -> str:
    """A LIKE pattern matching `fragment` anywhere, with its own % and _ taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@app.get("/users/search", response_model=list[UserRead])
async def search_users(name: str, db: SessionDep) -> list[UserRead]:
    # The value is bound, not pasted: a quote in it is just a quote.
    result = await db.execute(SEARCH_USERS, {"pattern": contains_pattern(name)})
    return [UserRead(id=row.id, name=row.name) for row in result]
