"""Chapter 13, step 1: look a user up by name, with a bound parameter.

`GET /users/by-name?name=...` lists the users with exactly that name, as
`[{"id": ..., "name": ...}]` ordered by id. The starter pastes the name into the SQL: try
`O'Brien`, then `' OR '1'='1`.

Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch13_raw_sql/test_ex00a_bound_lookup.py

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


class UserRead(BaseModel):
    id: int
    name: str


# TODO: this endpoint builds a new SQL text for every request (see inside); the SQL
# TODO: it runs should be written once, here, whatever the request says.
@app.get("/users/by-name", response_model=list[UserRead])
async def users_by_name(name: str, db: SessionDep) -> list[UserRead]:
    # TODO: the name is pasted into the SQL, so the database parses it as SQL: a quote breaks
    # TODO: the query and a crafted name reads every row. Keep the SQL text the same for every
    # TODO: request and send the name separately, as a value.
    statement = text(f"SELECT id, name FROM users WHERE name = '{name}' ORDER BY id")
    result = await db.execute(statement)
    return [UserRead(id=row.id, name=row.name) for row in result]
