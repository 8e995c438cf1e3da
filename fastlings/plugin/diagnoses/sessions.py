"""Diagnoses of what the app's engine and sessions raised: another database than the check's,
a synchronous engine, the factory used as a session, a transaction begun twice, an object
refreshed before it was stored, an exception raised after the response had started."""

from __future__ import annotations

import re
from typing import Any

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations

NO_TABLE = re.compile(r"no such table: (\w+)|relation \"(\w+)\" does not exist")


def _shown(url: Any) -> str:
    render = getattr(url, "render_as_string", None)
    return str(render(hide_password=True)) if callable(render) else str(url)


def _engines(obs: Observations) -> dict[str, Any]:
    """The module's engines (sync or async) by name, as `{name: URL}`."""
    from sqlalchemy.engine import Engine
    from sqlalchemy.ext.asyncio import AsyncEngine

    if obs.module is None:
        return {}
    return {
        name: value.url
        for name, value in vars(obs.module).items()
        if isinstance(value, (Engine, AsyncEngine))
    }


def other_database(obs: Observations) -> list[Diagnosis]:
    if obs.db_url is None:
        return []
    from sqlalchemy.engine import make_url

    wanted = make_url(obs.db_url)
    for r in obs.raised:
        match = NO_TABLE.search(r.message)
        if match is None:
            continue
        elsewhere = [(k, url) for k, url in _engines(obs).items() if url != wanted]
        if elsewhere:
            name, url = elsewhere[0]
            return [
                Diagnosis(
                    "other_database",
                    f"The app raised {r.type}{_at(r)}: {_said(r, 120)}. The app's `{name}` is "
                    f"connected to {_shown(url)}, not to the database the check gave it in "
                    f"DATABASE_URL ({_shown(wanted)}), where the table "
                    f"`{match.group(1) or match.group(2)}` was made.",
                    "build the engine from the configured URL "
                    '(`create_async_engine(os.environ["DATABASE_URL"])`, or your settings), '
                    "never from one written in the code.",
                    "ch05_async_sessions",
                )
            ]
    return []


def sync_engine(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "sync_engine",
            f"The app raised {r.type}{_at(r)}: {_said(r, 120)}. An AsyncSession was made on a "
            "synchronous engine (`create_engine`), which cannot drive an async driver.",
            "`create_async_engine(url)` for the engine the async sessions use.",
            "ch05_async_sessions",
        )
        for r in obs.raised
        if "AsyncEngine expected, got Engine" in r.message
    ][:1]


FACTORY = re.compile(r"'(async_sessionmaker|sessionmaker)' object has no attribute '(\w+)'")


def factory_as_session(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = FACTORY.search(r.message)
        if r.type == "AttributeError" and match:
            return [
                Diagnosis(
                    "factory_as_session",
                    f"The app raised AttributeError{_at(r)}: `.{match.group(2)}` was asked of "
                    f"an `{match.group(1)}`, the session factory itself, not a session it "
                    "made: the factory was handed out without being called.",
                    "call the factory to make the session: `async with SessionLocal() as "
                    "session: yield session`.",
                    "ch05_async_sessions",
                )
            ]
    return []


NOT_ENTERED = re.compile(
    r"'(async_sessionmaker|AsyncSession)' object does not support the (asynchronous )?context "
    r"manager protocol"
)


def session_not_entered(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NOT_ENTERED.search(r.message)
        if r.type != "TypeError" or match is None:
            continue
        if match.group(1) == "async_sessionmaker":
            why = (
                "`async with` was given the session factory itself, not a session it makes: "
                "the factory was not called."
            )
        elif match.group(2):
            continue
        else:
            why = (
                "A plain `with` was used on an AsyncSession, which opens and closes only "
                "asynchronously: Python looked for `__enter__`, and it has only `__aenter__`."
            )
        return [
            Diagnosis(
                "session_not_entered",
                f"The app raised TypeError{_at(r)}: {r.message}. {why} FastAPI answered 500 "
                "for it.",
                "call the factory and enter the session asynchronously: `async with "
                "SessionLocal() as session: yield session` in an `async def` dependency.",
                "ch05_async_sessions",
            )
        ]
    return []


def already_begun(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "already_begun",
            f"The app raised {r.type}{_at(r)}: {_said(r, 120)} A session begins its "
            "transaction by itself with its first statement (a query, `get()`, a flush), so "
            "`begin()` after one has no transaction left to start.",
            "put the request's whole work, its first query included, inside `async with "
            "db.begin():`, or drop `begin()` and `await db.commit()` once at the end.",
            "ch07_transactions",
        )
        for r in obs.raised
        if "A transaction is already begun on this Session" in r.message
    ][:1]


def not_persistent(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "not_persistent",
            f"The app raised {r.type}{_at(r)}: {_said(r, 120)}. `refresh()` reloads an "
            "object's row from the database, and this object has no row yet: it was added "
            "to the session, but never flushed or committed.",
            "`await db.commit()` first; refresh after it only to read values the database made.",
            "ch07_transactions",
        )
        for r in obs.raised
        if "is not persistent within this Session" in r.message
    ][:1]


def after_response(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "after_response",
            f"An exception was raised{_at(r)} after the response had started, and Starlette "
            f"refused it ({r.type}: {_said(r, 120)}): the client kept the status it had already "
            "been sent. An exception that has a handler (an `HTTPException`, say) reaches the "
            "client only before the response starts. Probably code after `yield` in a "
            "dependency, which runs after the response since FastAPI 0.118.",
            "decide the answer before the endpoint returns: commit, and raise the "
            "`HTTPException`, in the endpoint (or a function it awaits).",
            "ch07_transactions",
        )
        for r in obs.raised
        if "Caught handled exception, but response already started" in r.message
    ][:1]


def pending_rollback(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "pending_rollback",
            f"The app raised {r.type}{_at(r)}: a statement on this session had failed before "
            "(its error is quoted at the end of this one), and nothing rolled the session "
            "back, so it refuses every statement after it.",
            "`await db.rollback()` in the `except` that catches the failure, before anything "
            "else uses the session.",
            "ch06_http_errors",
        )
        for r in obs.raised
        if r.type == "PendingRollbackError"
    ][:1]
