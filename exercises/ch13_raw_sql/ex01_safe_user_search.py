"""Chapter 13, exercise 1: a raw SQL search that cannot be injected.

`GET /users/search?name=...` lists the users whose name contains the given text, as
`[{"id": ..., "name": ...}]` ordered by id. The text is matched literally (a quote, a `%` or an
`_` is a character like any other) and without regard to upper or lower case, on SQLite and on
PostgreSQL alike.

The starter pastes the text into the SQL with an f-string. Try, in /docs:
`O'Brien`, then `' OR '1'='1`, then `x' UNION SELECT id, token FROM api_tokens --`.

Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch13_raw_sql/test_ex01_safe_user_search.py

The lesson: lessons/ch13_raw_sql.md
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


# TODO: after this model, write the search SQL once, as a module-level `text()` constant with a
# TODO: bound parameter, plus a helper that turns the search text into a literal LIKE pattern.
class UserRead(BaseModel):
    id: int
    name: str


@app.get("/users/search", response_model=list[UserRead])
async def search_users(name: str, db: SessionDep) -> list[UserRead]:
    # TODO: request data goes into the SQL text, so the database parses it as SQL. The text
    # TODO: must travel as a value; and once it does, LIKE still reads %, _ and its escape
    # TODO: character as special: match them literally, ignoring case on SQLite and PostgreSQL.
    statement = text(f"SELECT id, name FROM users WHERE name LIKE '%{name}%' ORDER BY id")
    result = await db.execute(statement)
    return [UserRead(id=row.id, name=row.name) for row in result]
