"""Fixtures shared by the chapter 5 checks: the sessions an app opens."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_session
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
