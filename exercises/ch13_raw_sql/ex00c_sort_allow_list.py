"""Chapter 13, step 3: a sort order from the query string.

`GET /users?sort=name&order=desc` lists every user, sorted by `id` or `name`, ascending
(`asc`, the default) or descending (`desc`). Any other sort or order is refused with 422. A
column name cannot be a bound parameter; the starter pastes both into the SQL.

Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch13_raw_sql/test_ex00c_sort_allow_list.py

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


# TODO: `sort` and `order` go straight into the SQL: anything at all can follow ORDER BY. Only
# TODO: the listed columns and directions may be used, anything else gets 422, and the SQL
# TODO: text may only ever be one of the few statements written in this file.
@app.get("/users", response_model=list[UserRead])
async def list_users(db: SessionDep, sort: str = "id", order: str = "asc") -> list[UserRead]:
    statement = text(f"SELECT id, name FROM users ORDER BY {sort} {order}")
    result = await db.execute(statement)
    return [UserRead(id=row.id, name=row.name) for row in result]
