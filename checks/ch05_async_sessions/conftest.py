"""Fixtures shared by the chapter 5 checks: the sessions an app opens, and its own engine."""

from collections.abc import AsyncIterator
from types import ModuleType

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_session
from sqlalchemy.orm import Session, SessionTransaction

from fastlings.testing import ClientFactory


@pytest.fixture
async def opened_sessions(make_client: ClientFactory) -> AsyncIterator[list[Session]]:
    """The session of every transaction begun during the check, in order (once per
    transaction), held alive so that `id()` values stay distinct. Afterwards every one of them
    is closed, so that sessions the app leaked do not keep connections past the check (this
    fixture needs `make_client`, so its teardown runs before the app's engine is disposed)."""
    began: list[Session] = []
    proxies: dict[int, AsyncSession] = {}

    def record(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
        began.append(session)
        proxy = async_session(session)
        if proxy is not None:
            proxies[id(session)] = proxy

    event.listen(Session, "after_begin", record)
    try:
        yield began
    finally:
        event.remove(Session, "after_begin", record)
        for proxy in proxies.values():
            await proxy.close()


@pytest.fixture
def module_engine(module: ModuleType) -> AsyncEngine:
    """The module's own AsyncEngine (the plugin pointed DATABASE_URL at the check's database)."""
    engines = [value for value in vars(module).values() if isinstance(value, AsyncEngine)]
    assert len(engines) == 1, (
        f"The module defines {len(engines)} AsyncEngine objects at top level.\n"
        "Expected: one `engine = create_async_engine(DATABASE_URL)` (see the lesson)"
    )
    return engines[0]
