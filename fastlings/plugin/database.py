"""A database that exists only for one check, and the check's own engine and sessions on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from fastlings.plugin import databases
from fastlings.plugin.options import db_server

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a database that exists only for this check (on `--db-server` if given)."""
    with databases.fresh_database(db_server(request.config)) as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """The check's own async engine on the fresh database."""
    from sqlalchemy.ext.asyncio import create_async_engine

    eng = create_async_engine(db_url)
    try:
        yield eng
    finally:
        await databases.dispose([eng])


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the check's engine (`expire_on_commit=False`)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(engine, expire_on_commit=False)
