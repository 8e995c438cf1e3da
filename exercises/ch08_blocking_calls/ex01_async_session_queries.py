"""Chapter 8, exercise 1: stop a database query from freezing the event loop.

`GET /users` works, and on a laptop it even feels fast. But it runs a synchronous SQLAlchemy
session inside `async def`: while the database works, the whole server waits with it. Every
`# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch08_blocking_calls/test_ex01_async_session_queries.py

The lesson: lessons/ch08_blocking_calls.md
"""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# The async database layer is given: an async engine, a session factory and `get_db`.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


# TODO: (clean-up, not checked) a second, synchronous engine and its session dependency. Every
# query they run blocks the thread that calls it; once the endpoint uses the async session,
# nothing needs them.
sync_engine = create_engine(DATABASE_URL.replace("+aiosqlite", ""))


def get_sync_db() -> Iterator[Session]:
    with Session(sync_engine) as session:
        yield session


app = FastAPI(title="Fastlings users", lifespan=lifespan)


@app.get("/users", response_model=list[UserRead])
async def list_users(db: Annotated[Session, Depends(get_sync_db)]):
    # TODO: this query waits for the database by blocking the thread that runs it, and inside
    # `async def` that is the event loop's thread. Read the users through the app's async
    # session (the one `get_db` hands out) and wait for the query without blocking.
    return db.query(User).order_by(User.id).all()
