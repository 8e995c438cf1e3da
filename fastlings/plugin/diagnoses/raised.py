"""Diagnoses of what the app raised or warned: exceptions, their learner frame, warnings."""

from __future__ import annotations

import re
from typing import Any

from fastlings.plugin.diagnoses.base import (
    UNAWAITED,
    Diagnosis,
    _at,
    _said,
)
from fastlings.plugin.diagnoses.calls import not_callable
from fastlings.plugin.diagnoses.lifespan import app_state_has
from fastlings.plugin.diagnoses.values import _call_in, unawaited_site
from fastlings.plugin.observe import Observations


def unawaited(obs: Observations) -> list[Diagnosis]:
    found = []
    for seen in obs.warnings:
        match = UNAWAITED.search(seen.message)
        library = "site-packages" in seen.where or "/lib/python" in seen.where
        if seen.category == "RuntimeWarning" and match and not library:
            name = match.group(1).rsplit(".", 1)[-1]
            place, line = unawaited_site(obs, seen.where, seen.line, name)
            call = _call_in(line, name) or f"...{name}(...)"
            found.append(
                Diagnosis(
                    "unawaited",
                    f"{place}`{match.group(1)}` was called without `await`, so it never "
                    f'ran (Python warned: "{seen.message.splitlines()[0]}").',
                    f"`await` every coroutine call: `await {call}`.",
                    "ch05_async_sessions",
                )
            )
    return found


def missing_greenlet(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "missing_greenlet",
            f"The app raised {r.type}{_at(r)}: {_said(r, 120)} An attribute was read that "
            "needed a database load, which an AsyncSession cannot do without `await`: probably "
            "an attribute expired by `commit()` (when `expire_on_commit` is left True) or by "
            "`rollback()` (always), or a lazy relationship.",
            "with AsyncSession, load what the response needs in the query (`selectinload`), "
            "keep `expire_on_commit=False`, or `await session.refresh(obj)`.",
            "ch14_relationships",
        )
        for r in obs.raised
        if r.type == "MissingGreenlet" or "(sqlalchemy.exc.MissingGreenlet)" in r.message
    ]


UNLOADED = re.compile(r"MissingGreenlet|DetachedInstanceError")


LAZY_RAISE = re.compile(r"'([\w.]+)' is not available due to lazy='raise'")


ISO_TEXT = re.compile(r"Invalid isoformat string: '([^']*)'")


SQL_TRIED = re.compile(r"\[SQL: (.*?)\]", re.S)


def _field(error: dict[str, Any]) -> str:
    """The field's path, a list index shown as `[i]` so that one error per row reads once."""
    parts = ["[i]" if isinstance(p, int) else str(p) for p in error["loc"] if p != "response"]
    return ".".join(parts).replace(".[i]", "[i]") or "response"


def _distinct(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for error in errors:
        key = (_field(error), _first_line(error["msg"]))
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept


def _unloaded(error: dict[str, Any]) -> str:
    found = UNLOADED.search(str(error["msg"]))
    return found.group(0) if found else "MissingGreenlet"


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def response_validation(obs: Observations) -> list[Diagnosis]:
    found = []
    for r in obs.raised:
        if r.type != "ResponseValidationError":
            continue
        raising = [e for e in _distinct(r.errors) if "lazy='raise'" in e["msg"]]
        if raising:
            names = ", ".join(
                sorted({m.group(1) for e in raising if (m := LAZY_RAISE.search(e["msg"]))})
            )
            found.append(
                Diagnosis(
                    "lazy_raise",
                    f"FastAPI read {', '.join(f'`{_field(e)}`' for e in raising)} for the "
                    f"response model, and {names or 'the relationship'} had not been loaded by "
                    "the query: `lazy='raise'` refused to load it behind your back, so the app "
                    "answered 500.",
                    "load what the response reads in the query that fetches it: "
                    "`.options(selectinload(...))` for a collection, `joinedload(...)` for a "
                    "single owner (also in `session.get(..., options=[...])`).",
                    "ch14_relationships",
                )
            )
            continue
        lazy = _distinct([e for e in r.errors if UNLOADED.search(e["msg"])])
        if lazy:
            names = ", ".join(f"`{_field(e)}`" for e in lazy)
            sql = SQL_TRIED.search(lazy[0].get("detail", lazy[0]["msg"]))
            tried = f" (it tried: {' '.join(sql.group(1).split())})" if sql else ""
            found.append(
                Diagnosis(
                    "missing_greenlet",
                    f"FastAPI read {names} from the returned {lazy[0]['input_type']} to fill the "
                    "response model, and reading it needed a database query that SQLAlchemy "
                    f"could not run there ({_unloaded(lazy[0])}){tried}, so it answered 500. "
                    "Probably a commit (or a rollback) expired the object's attributes (and, "
                    "for DetachedInstanceError, its session had closed), or the field is a "
                    "lazy relationship.",
                    "keep `expire_on_commit=False` on the session factory (or `await "
                    "session.refresh(obj)`), and load relationships in the query "
                    "(`selectinload`).",
                    "ch14_relationships",
                )
            )
            continue
        fields = "; ".join(
            f"`{_field(e)}`: {_first_line(e['msg'])} (got {e['input_type']})"
            for e in _distinct(r.errors)
        )
        unsaved = any(
            e["loc"] and e["loc"][-1] == "id" and e["input_type"] == "NoneType" for e in r.errors
        )
        if unsaved:
            fields += (
                ". Probably the object was never flushed to the database (`await "
                "session.commit()` or `flush()`), which is what gives it its id"
            )
        found.append(
            Diagnosis(
                "response_validation",
                "FastAPI could not fit the route's return value into its response model, so it "
                f"answered 500: {fields or _said(r)}.",
                "return what the response model declares (or change the model to match).",
                "ch03_response_models",
            )
        )
    return found


def coroutine_as_value(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type == "TypeError" and re.search(r"'coroutine'|coroutine object", r.message):
            return [
                Diagnosis(
                    "coroutine_as_value",
                    f"The app raised TypeError{_at(r)}: {_said(r, 160)}. A coroutine object was "
                    "used as a value: an async function was called without `await`.",
                    "`await` the call where its result is used (`await upload.read(...)`, "
                    "`async with await anyio.open_file(...)`).",
                    "ch05_async_sessions",
                )
            ]
        if r.type == "TypeError" and "the first argument must be callable" in r.message:
            return [not_callable(r)]
    return []


def different_loop(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "different_loop",
            f"The app raised {r.type}{_at(r)}: {_said(r)}. An asyncio object (a lock, queue, "
            "client or engine) was made on one event loop and used on another.",
            "create such objects in the lifespan or per request, not at import time.",
            "ch20_settings_lifespan",
        )
        for r in obs.raised
        if "attached to a different loop" in r.message
    ][:1]


def pool_timeout(obs: Observations) -> list[Diagnosis]:
    return [
        Diagnosis(
            "pool_timeout",
            f"The app raised {r.type}{_at(r)}: {_said(r)}. Every pooled connection was "
            "checked out and none came back in time.",
            "hold a session only while you use the database, and always close it "
            "(`async with` or a `yield` dependency).",
            "ch18_connection_pool",
        )
        for r in obs.raised
        if "QueuePool limit" in r.message or "pool" in r.type.lower()
    ][:1]


def text_for_datetime(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = ISO_TEXT.search(r.message)
        if r.type == "ValueError" and match and re.search(r"\w\(\)|[A-Za-z]", match.group(1)):
            return [
                Diagnosis(
                    "text_for_datetime",
                    f"The app raised ValueError{_at(r)}: a datetime column handed back the text "
                    f"'{match.group(1)}', which is not a date. Probably a "
                    f'`server_default="{match.group(1)}"`: a plain string is stored as that '
                    "literal text, not run as SQL.",
                    "give the database an SQL expression: `server_default=func.now()` (or "
                    '`text("CURRENT_TIMESTAMP")`).',
                    "ch04_typed_models",
                )
            ]
    return []


NO_STATE = re.compile(r"'State' object has no attribute '(\w+)'")


def state_not_set(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NO_STATE.search(r.message)
        if r.type == "AttributeError" and match and not app_state_has(obs, match.group(1)):
            name = match.group(1)
            return [
                Diagnosis(
                    "state_not_set",
                    f"The app raised AttributeError{_at(r)}: nothing had set `app.state.{name}` "
                    "when the request read it. Probably the lifespan that sets it did not run "
                    "(`FastAPI(lifespan=lifespan)` missing) or set it under another name.",
                    f"set `app.state.{name}` in the lifespan, before `yield`, and pass the "
                    "lifespan to `FastAPI(lifespan=...)`.",
                    "ch20_settings_lifespan",
                )
            ]
    return []


def unhandled(obs: Observations) -> list[Diagnosis]:
    """The generic line for what the app raised: `diagnose` asks for it only when no rule that
    explains a raised exception has named it (`EXPLAINS_RAISE`)."""
    known = {"MissingGreenlet", "ResponseValidationError"}
    if any("(sqlalchemy.exc.MissingGreenlet)" in r.message for r in obs.raised):
        return []
    found = []
    for r in obs.raised:
        if (
            r.type in known
            or "attached to a different loop" in r.message
            or "QueuePool limit" in r.message
            or ISO_TEXT.search(r.message)
        ):
            continue
        said = f"The app raised {r.type}{_at(r)}: {_said(r)}" if r.message else f"{r.type}{_at(r)}"
        if r.called_from:
            said += f" (called from {r.called_from})"
        if r.errors:
            said += (
                " ("
                + "; ".join(
                    f"`{_field(e)}`: {_first_line(e['msg'])} (got {e['input_type']})"
                    for e in _distinct(r.errors)
                )
                + ")"
            )
        if r.after_response:
            said += (
                ". It left the app after the response had been sent: the client already had "
                "its answer, and only the server saw the error (uvicorn logs it as "
                "'Exception in ASGI application')"
            )
            advice = (
                "code that runs after the response, a background job, handles its own "
                "errors: catch it there, log it, and record the outcome."
            )
        else:
            advice = "handle it, or find why it is raised; FastAPI answered 500 for it."
        found.append(Diagnosis("unhandled", said, advice))
    return found[:1]
