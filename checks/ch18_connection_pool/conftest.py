"""Fixtures shared by the chapter 18 checks: the app's own pool, watched and slowed down.

These checks never override `get_db`: the learner's engine, pool and session handling are what
is observed. The plugin points `DATABASE_URL` at the check's fresh database, so the module's
engine opens its connections there.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_session
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import await_only

from fastlings.testing import ClientFactory, require


@dataclass
class PoolWatch:
    """What the app's engine does with connections, counted from SQLAlchemy's pool events.

    `open` counts DBAPI connections that exist (the database's view), `checked_out` those a
    session or connection holds right now (the pool's view); `peak_open` is the most open at once.
    """

    open: int = 0
    peak_open: int = 0
    checked_out: int = 0
    peak_checked_out: int = 0
    delay: float = 0.0  # seconds every statement waits (an async sleep) before it runs
    holding: set[int] = field(default_factory=set)  # the connection records checked out

    def connected(self, *args: Any) -> None:
        self.open += 1
        self.peak_open = max(self.peak_open, self.open)

    def closed(self, *args: Any) -> None:
        self.open -= 1

    def checkout(self, dbapi_connection: Any, record: Any, *args: Any) -> None:
        # Counted per connection, not per checkout: a StaticPool hands its one connection to
        # every session at once, and reports only the last of those checkouts coming back.
        self.holding.add(id(record))
        self.checked_out = len(self.holding)
        self.peak_checked_out = max(self.peak_checked_out, self.checked_out)

    def checkin(self, dbapi_connection: Any, record: Any, *args: Any) -> None:
        self.holding.discard(id(record))
        self.checked_out = len(self.holding)

    def before_cursor_execute(self, *args: Any) -> None:
        if self.delay:
            await_only(asyncio.sleep(self.delay))

    def reset_peaks(self) -> None:
        self.peak_open = self.open
        self.peak_checked_out = self.checked_out


HANDLERS = {
    "connect": "connected",
    "close": "closed",
    "close_detached": "closed",
    "checkout": "checkout",
    "checkin": "checkin",
    "before_cursor_execute": "before_cursor_execute",
}


@pytest.fixture
def app_engine(module: ModuleType, lesson: str) -> AsyncEngine:
    """The module's own engine (built from DATABASE_URL, so on the check's database)."""
    found = require(module, "engine", "the app's `engine = create_async_engine(...)`", lesson)
    assert isinstance(found, AsyncEngine), (
        f"`engine` is a {type(found).__name__}.\n"
        f"Expected: an AsyncEngine from create_async_engine(DATABASE_URL, ...)  (see {lesson})"
    )
    return found


@pytest.fixture
def pool_watch(app_engine: AsyncEngine) -> Iterator[PoolWatch]:
    watch = PoolWatch()
    target = app_engine.sync_engine
    for name, method in HANDLERS.items():
        event.listen(target, name, getattr(watch, method))
    try:
        yield watch
    finally:
        for name, method in HANDLERS.items():
            event.remove(target, name, getattr(watch, method))


@pytest.fixture
async def sessions_closed_afterwards(make_client: ClientFactory) -> AsyncIterator[None]:
    """Every session that began a transaction during the check is closed when it ends, so
    that connections an app leaked go back to the pool before its engine is disposed (this
    fixture needs `make_client`, so its teardown runs before the app's engine is disposed)."""
    began: dict[int, AsyncSession] = {}

    def record(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
        proxy = async_session(session)
        if proxy is not None:
            began[id(session)] = proxy

    event.listen(Session, "after_begin", record)
    try:
        yield
    finally:
        event.remove(Session, "after_begin", record)
        for proxy in began.values():
            await proxy.close()
