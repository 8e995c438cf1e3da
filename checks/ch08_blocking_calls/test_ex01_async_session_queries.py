"""Checks for chapter 8, exercise 1: database queries that do not block the event loop.

The checks make the database slow: while `slow_database` is on, every statement takes DELAY
seconds, the way a busy database server would. An async driver waits by awaiting (the loop runs
on); a synchronous driver waits by blocking its thread, which inside `async def` is the loop's.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from checks.ch08_blocking_calls.concurrency import (
    CONCURRENT,
    MAX_RATIO,
    heartbeat,
    one_then_many,
)
from fastlings.testing import ClientFactory, create_schema, find_operation

Teach = Callable[[str, str], str]
DELAY = 0.2  # seconds per statement while the database is slow
USERS = [
    {"id": 1, "email": "ada@example.com", "name": "Ada Lovelace"},
    {"id": 2, "email": "grace@example.com", "name": "Grace Hopper"},
]


class SlowDatabase:
    """While `on`, every statement on every engine waits DELAY seconds before it runs."""

    def __init__(self) -> None:
        self.on = False

    def before_cursor_execute(self, conn: Any, *args: Any) -> None:
        if not self.on:
            return
        if conn.dialect.is_async:
            await_only(asyncio.sleep(DELAY))  # an async driver awaits: the loop runs on
        else:
            time.sleep(DELAY)  # a sync driver blocks the thread that called it


@pytest.fixture
def slow_database() -> Iterator[SlowDatabase]:
    slow = SlowDatabase()
    event.listen(Engine, "before_cursor_execute", slow.before_cursor_execute)
    try:
        yield slow
    finally:
        event.remove(Engine, "before_cursor_execute", slow.before_cursor_execute)


@pytest.fixture
async def client(
    module: ModuleType, engine: AsyncEngine, make_client: ClientFactory
) -> AsyncIterator[AsyncClient]:
    """The learner's app with two users in its database (the check's fresh database)."""
    await create_schema(engine, module.Base.metadata)
    async with engine.begin() as conn:
        await conn.execute(insert(module.User.__table__), USERS)
    async with make_client(module.app) as http:
        yield http


def users_path(module: ModuleType) -> str:
    found = find_operation(module.app.openapi(), "get", "/users")
    return found[0] if found else "/users"


def crashed(response: Response) -> str:
    if response.status_code != 500:
        return f": {response.text[:200]}"
    return (
        " (an exception in the endpoint: for example a query that was never awaited, or a "
        "synchronous Session on an async-only driver such as asyncpg)"
    )


def assert_lists_users(response: Response, path: str, teach: Teach) -> None:
    assert response.status_code == 200, teach(
        f"GET {path} answered {response.status_code}{crashed(response)}",
        "200 with the users; with an AsyncSession every query is awaited "
        "(`await db.execute(select(User))`)",
    )
    body = response.json()
    got = [(u.get("id"), u.get("email"), u.get("name")) for u in body if isinstance(u, dict)]
    expected = [(u["id"], u["email"], u["name"]) for u in USERS]
    assert got == expected, teach(
        f"GET {path} answered {body!r}.", f"the users in the database, in id order: {expected}"
    )


async def test_concurrent_requests_overlap(
    module: ModuleType, client: AsyncClient, slow_database: SlowDatabase, teach: Teach
) -> None:
    path = users_path(module)
    assert_lists_users(await client.get(path), path, teach)  # correct before it is timed

    slow_database.on = True
    for _attempt in range(2):  # a second try absorbs one stall of a busy machine
        first, many, single, together = await one_then_many(lambda: client.get(path))
        if together / single < MAX_RATIO:
            break
    for response in (first, *many):
        assert_lists_users(response, path, teach)
    ratio = together / single
    assert ratio < MAX_RATIO, teach(
        f"With every query taking {DELAY:g} s, one GET {path} took {single:.2f} s and "
        f"{CONCURRENT} concurrent ones took {together:.2f} s ({ratio:.1f}x): they ran one after "
        "another, because each query blocked the event loop.",
        f"about the time of one (under {MAX_RATIO:g}x): an AsyncSession from Depends(get_db) "
        "and `await db.execute(select(User))`",
    )


async def test_event_loop_keeps_ticking(
    module: ModuleType, client: AsyncClient, slow_database: SlowDatabase, teach: Teach
) -> None:
    path = users_path(module)
    slow_database.on = True
    for _attempt in range(3):  # a busy machine can stall any loop once; judge the calmest run
        async with heartbeat() as loop:
            response = await client.get(path)
        if loop.longest_stall < DELAY / 2:
            break
    assert_lists_users(response, path, teach)
    assert loop.longest_stall < DELAY / 2, teach(
        f"During one GET {path} (its query takes {DELAY:g} s), the event loop stood still for "
        f"{loop.longest_stall * 1000:.0f} ms: no other request, timer or task could run.",
        "the loop never stalls: await the query on an AsyncSession instead of calling a "
        "synchronous Session inside `async def`",
    )
