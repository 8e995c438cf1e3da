"""Checks for chapter 1, step 1: the engine, the session factory and `get_db`.

The learner's own `get_db` runs (it is wrapped, not replaced), and the checks look at the
session it handed to the endpoint: which database it is bound to, whether objects stay
readable after commit, and whether it is closed when the request ends.
"""

from types import ModuleType
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from checks.ch01_endpoint_structure.conftest import GetDbSpy, module_engines
from fastlings.testing import Teach, WiredApp

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}


def the_session(spy: GetDbSpy, request: str, teach: Teach) -> AsyncSession:
    assert spy.sessions or not spy.asked, teach(
        f"{request} called get_db, and get_db raised before it handed a session over.",
        "get_db yields a session: `async with SessionLocal() as session:` then `yield session`",
    )
    assert spy.sessions, teach(
        f"{request} ran without get_db being asked for a session.",
        "the endpoint's session comes from get_db through Depends",
    )
    session = spy.sessions[-1]
    assert isinstance(session, AsyncSession), teach(
        f"get_db handed the endpoint {session!r}, not an AsyncSession.",
        "get_db yields a session made by async_sessionmaker(engine, ...)",
    )
    return session


async def test_sessions_use_the_database_url(
    module: ModuleType, wired: WiredApp, get_db_spy: GetDbSpy, db_url: str, teach: Teach
) -> None:
    response = await wired.client.post("/users", json=ADA)
    session = the_session(get_db_spy, "POST /users", teach)
    bind = session.bind if isinstance(session.bind, AsyncEngine) else None
    expected = make_url(db_url)
    observed = bind.url if bind is not None else None
    assert observed is not None and observed.render_as_string(
        hide_password=False
    ) == expected.render_as_string(hide_password=False), teach(
        f"DATABASE_URL was {expected.render_as_string()}, and get_db's session is bound to "
        f"{observed.render_as_string() if observed else 'no engine'}.",
        "engine = create_async_engine(<the URL read from the DATABASE_URL environment "
        "variable>), the one engine the session factory uses",
    )
    engines = module_engines(module)
    assert any(bind is engine for engine in engines), teach(
        "get_db's session is bound to an engine that is not one of the module's top-level "
        f"engines ({len(engines)} found): an engine is built per request, so every request "
        "gets a new connection pool.",
        "one module-level engine, created once at import, shared by every session",
    )
    async with wired.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT email FROM users"))).scalars().all()
    assert rows == [ADA["email"]], teach(
        f"After POST /users (answered {response.status_code}), the DATABASE_URL database "
        f"holds the emails {rows}.",
        "the new user written through get_db's session into the DATABASE_URL database",
    )


async def test_committed_user_is_readable(
    wired: WiredApp, get_db_spy: GetDbSpy, teach: Teach
) -> None:
    response = await wired.client.post("/users", json=ADA)
    session = the_session(get_db_spy, "POST /users", teach)
    expires = session.sync_session.expire_on_commit
    body = response.json() if response.status_code == 201 else None
    assert isinstance(body, dict) and body.get("email") == ADA["email"], teach(
        f"POST /users answered {response.status_code}: {response.text[:120]}"
        + (
            "; get_db's session has expire_on_commit=True, so the commit expired the user "
            "and reading user.id afterwards needed an implicit reload"
            if expires
            else ""
        ),
        "201 with the new user: a session factory made with expire_on_commit=False",
    )


async def test_session_is_closed_after_the_request(
    wired: WiredApp, get_db_spy: GetDbSpy, teach: Teach
) -> None:
    response = await wired.client.get("/users")
    session = the_session(get_db_spy, "GET /users", teach)
    assert response.status_code == 200, teach(
        f"GET /users answered {response.status_code}: {response.text[:120]}",
        "200 with the list of users",
    )
    engine = session.bind if isinstance(session.bind, AsyncEngine) else None
    pool: Any = engine.pool if engine is not None else None
    checked_out = int(pool.checkedout()) if pool is not None else 0
    handed = {
        "returned": " get_db returned the session instead of yielding it, so no code of "
        "get_db runs after the response.",
        "yielded": " get_db yielded it, and what runs after its `yield` did not close it.",
    }.get(get_db_spy.handed, "")
    assert not session.in_transaction() and checked_out == 0, teach(
        "After GET /users had answered, get_db's session was still "
        + ("in a transaction" if session.in_transaction() else "open")
        + f" and its pool had {checked_out} connection(s) checked out."
        + handed,
        "get_db yields the session inside `async with SessionLocal() as session:` so that it "
        "is closed, and its connection returned, when the request is done",
    )
