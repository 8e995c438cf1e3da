"""Checks for chapter 8, exercise 1: database queries that do not block the event loop.

The checks make the database slow: while `slow_database` is on, every statement takes DELAY
seconds. The app runs with its own `get_db` (no override): what is observed is how the learner's
code waits for the database.
"""

from collections.abc import AsyncIterator

import pytest
from httpx import Response
from sqlalchemy import insert

from checks.ch08_blocking_calls import _timing as timing
from checks.ch08_blocking_calls.conftest import SlowDatabase
from fastlings.testing import Teach, WiredApp, WireFactory

USERS = [
    {"id": 1, "email": "ada@example.com", "name": "Ada Lovelace"},
    {"id": 300, "email": "grace@example.com", "name": "Grace Hopper"},
]


@pytest.fixture
async def users_app(wire: WireFactory) -> AsyncIterator[WiredApp]:
    """The learner's app, its own get_db untouched, with two users in the check's database."""
    async with wire(override=False) as app:
        async with app.engine.begin() as conn:
            await conn.execute(insert(app.module.User.__table__), USERS)
        yield app


Measured = timing.Measured[Response]  # the timings of one checks file, kept across its checks


@pytest.fixture(scope="module")
def measured() -> Measured:
    return timing.Measured()


def assert_lists_users(response: Response, path: str, teach: Teach) -> None:
    assert response.status_code == 200, teach(
        f"GET {path} answered {response.status_code}: {response.text[:200]}",
        "200 with the users; with an AsyncSession every query is awaited",
    )
    body = response.json()
    got = [(u.get("id"), u.get("email"), u.get("name")) for u in body if isinstance(u, dict)]
    expected = [(u["id"], u["email"], u["name"]) for u in USERS]
    assert got == expected, teach(
        f"GET {path} answered {body!r}.", f"the users in the database, in id order: {expected}"
    )


async def test_concurrent_requests_overlap(
    users_app: WiredApp, slow_database: SlowDatabase, measured: Measured, teach: Teach
) -> None:
    path = users_app.path("get", "/users")
    client = users_app.client
    assert_lists_users(await client.get(path), path, teach)  # correct before it is timed

    slow_database.on = True
    found = await measured.burst(lambda: client.get(path))
    slow_database.on = False
    for response in found.responses:
        assert_lists_users(response, path, teach)
    assert not timing.too_fast(found.single) and slow_database.statements > 0, teach(
        f"With every query taking {timing.DELAY * 1000:.0f} ms, GET {path} answered in "
        f"{found.single * 1000:.0f} ms: it did not query the database during the request.",
        "the users read from the database on every request",
    )
    assert found.ratio < timing.MAX_RATIO, teach(
        f"With every query taking {timing.DELAY * 1000:.0f} ms, one GET {path} took "
        f"{found.single * 1000:.0f} ms and {timing.CONCURRENT} concurrent ones "
        f"{found.together * 1000:.0f} ms ({found.ratio:.1f}x): {timing.serialised_cause(found)}.",
        f"about the time of one (under {timing.MAX_RATIO:g}x): an AsyncSession from "
        "Depends(get_db) whose queries are awaited",
    )


async def test_event_loop_keeps_ticking(
    users_app: WiredApp, slow_database: SlowDatabase, measured: Measured, teach: Teach
) -> None:
    path = users_app.path("get", "/users")
    slow_database.on = True
    response, stall = await measured.stall(lambda: users_app.client.get(path))
    slow_database.on = False
    assert_lists_users(response, path, teach)
    assert stall < timing.STALL_LIMIT, teach(
        f"While GET {path} ran (each query takes {timing.DELAY * 1000:.0f} ms), the event loop "
        f"stood still for {stall * 1000:.0f} ms: no other request, timer or task could run.",
        "the loop never stalls: await the query on an AsyncSession instead of calling a "
        "synchronous Session inside `async def`",
    )
