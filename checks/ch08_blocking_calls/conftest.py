"""Fixtures shared by the chapter 8 checks: a database that is slow on demand."""

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.util import await_only

from checks.ch08_blocking_calls._timing import DELAY
from fastlings.testing import listening


class SlowDatabase:
    """While `on`, every statement on every engine takes DELAY seconds, the way a busy database
    server would. An async driver waits by awaiting (the loop runs on); a synchronous driver
    waits by blocking the thread that called it. Like a real server, one connection runs one
    statement at a time: requests that share a connection wait for each other."""

    def __init__(self) -> None:
        self.on = False
        self.statements = 0
        self.busy: dict[int, asyncio.Lock] = {}

    async def _run_on(self, connection: int) -> None:
        async with self.busy.setdefault(connection, asyncio.Lock()):
            await asyncio.sleep(DELAY)

    def before_cursor_execute(self, conn: Any, *args: Any) -> None:
        if not self.on:
            return
        self.statements += 1
        if conn.dialect.is_async:
            await_only(self._run_on(id(conn.connection.dbapi_connection)))
        else:
            time.sleep(DELAY)


@pytest.fixture
def slow_database() -> Iterator[SlowDatabase]:
    slow = SlowDatabase()
    with listening((Engine, "before_cursor_execute", slow.before_cursor_execute)):
        yield slow
