"""The database: an engine per app (made in the lifespan), and a session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from fastlings.dashboard.models import Base


def make_sessionmaker(url: str) -> async_sessionmaker[AsyncSession]:
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":  # many small writes: WAL, and fsync at checkpoints only
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def create_tables(sessions: async_sessionmaker[AsyncSession]) -> None:
    engine = sessions.kw["bind"]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]
