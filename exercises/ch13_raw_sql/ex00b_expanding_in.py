"""Chapter 13, step 2: a list of names, each one bound.

`GET /users/by-names?name=a&name=b` lists the users whose name is one of those given, ordered
by id (no name given: an empty list). The starter builds the IN list by pasting quoted names.

Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch13_raw_sql/test_ex00b_expanding_in.py

The lesson: lessons/ch13_raw_sql.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query
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


# TODO: this endpoint builds a new SQL text for every request (see inside); the SQL
# TODO: it runs should be written once, here, whatever the request says.
@app.get("/users/by-names", response_model=list[UserRead])
async def users_by_names(
    db: SessionDep,
    name: Annotated[list[str], Query()] = [],  # noqa: B006
) -> list[UserRead]:
    if not name:
        return []
    # TODO: quoting each name by hand is pasting it into the SQL all the same: one quote in a
    # TODO: name breaks out. Send the whole list as one bound value that the statement expands.
    listed = ", ".join(f"'{n}'" for n in name)
    statement = text(f"SELECT id, name FROM users WHERE name IN ({listed}) ORDER BY id")
    result = await db.execute(statement)
    return [UserRead(id=row.id, name=row.name) for row in result]
