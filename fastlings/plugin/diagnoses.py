"""A library of diagnoses: each one maps an observed cause to a short teaching text.

A diagnosis only ever states what `fastlings/plugin/observe.py` saw happen (an exception and
the learner's line, a warning, a 404 and the app's routes, FastAPI's 422 detail, a response
body); it never guesses. Each is tested with a small app that triggers it
(`tests/test_diagnoses.py`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastlings.plugin.observe import Observations, Raised

HEADING = "What the app did:"


@dataclass(frozen=True)
class Diagnosis:
    name: str
    cause: str
    """What was observed, in one or two sentences."""
    advice: str
    """What the pattern expects instead."""
    chapter: str | None = None
    """The chapter id whose lesson explains it (shown when the course has that lesson)."""


Rule = Callable[[Observations], list[Diagnosis]]
UNAWAITED = re.compile(r"coroutine '([^']+)' was never awaited")
DB_TEXT = re.compile(
    r"(IntegrityError|OperationalError|UNIQUE constraint failed|NOT NULL constraint failed|"
    r"duplicate key value|violates (?:unique|foreign key|not-null) constraint|sqlite3\.|"
    r"asyncpg\.|psycopg|\[SQL: )"
)


REPR = re.compile(r"<[^<>]{40,}>")


def _said(raised: Raised, limit: int = 240) -> str:
    """The exception's message for the screen: long object reprs shortened, then cut."""
    text = REPR.sub("<...>", raised.message)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _at(raised: Raised) -> str:
    if raised.where is None:
        return ""
    return f" at {raised.where}" + (f": `{raised.line}`" if raised.line else "")


def unawaited(obs: Observations) -> list[Diagnosis]:
    found = []
    for seen in obs.warnings:
        match = UNAWAITED.search(seen.message)
        library = "site-packages" in seen.where or "/lib/python" in seen.where
        if seen.category == "RuntimeWarning" and match and not library:
            name = match.group(1).rsplit(".", 1)[-1]
            written = re.search(rf"[\w.]*\b{re.escape(name)}\([^()]*\)", seen.line or "")
            call = written.group(0) if written else f"...{name}(...)"
            found.append(
                Diagnosis(
                    "unawaited",
                    f"{seen.where}: `{match.group(1)}` was called without `await`, so it never "
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


def router_not_included(obs: Observations) -> list[Diagnosis]:
    if obs.module is None:
        return []
    try:
        from fastapi import APIRouter, FastAPI
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    apps = [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]
    served = {getattr(r, "path", None) for a in apps for r in a.routes}
    found = []
    for answer in obs.answers:
        if answer.status != 404:
            continue
        for name, router in vars(obs.module).items():
            if not isinstance(router, APIRouter) or any(router is a.router for a in apps):
                continue
            paths = {getattr(r, "path", None) for r in router.routes}
            wanted = {answer.path, answer.path.rstrip("/"), answer.path + "/"}
            if paths & wanted and not paths & served:
                found.append(
                    Diagnosis(
                        "router_not_included",
                        f"{answer.method} {answer.path} answered 404: the router `{name}` has "
                        "that path, but the app never includes it.",
                        f"`app.include_router({name})` after the router's routes are defined.",
                        "ch01_endpoint_structure",
                    )
                )
                break
    return found


def not_found(obs: Observations) -> list[Diagnosis]:
    found = []
    for answer in obs.answers:
        if answer.status == 404 and answer.routes and '"Not Found"' in answer.body:
            routes = ", ".join(answer.routes[:12]) or "none"
            found.append(
                Diagnosis(
                    "no_route",
                    f"{answer.method} {answer.path} answered 404 Not Found: no route matches. "
                    f"The app's routes: {routes}.",
                    "a route at exactly that method and path (check the router's prefix).",
                )
            )
    return found[:1]


_UNSEEN = object()


def _annotation(obs: Observations, method: str, path: str, name: object) -> Any:
    """The annotation of parameter `name` of the endpoint serving `method path` in the learner's
    module (`inspect.Parameter.empty` when it has none; `_UNSEEN` when it cannot be found)."""
    if obs.module is None or not isinstance(name, str):
        return _UNSEEN
    try:
        from fastapi import FastAPI
        from fastapi.routing import APIRoute
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return _UNSEEN
    for app in [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]:
        for route in app.routes:
            if not isinstance(route, APIRoute) or method not in (route.methods or set()):
                continue
            if route.path_regex.match(path) is None:
                continue
            try:
                parameter = inspect.signature(route.endpoint).parameters.get(name)
            except (TypeError, ValueError):
                return _UNSEEN
            return _UNSEEN if parameter is None else parameter.annotation
    return _UNSEEN


def untyped_parameter(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        for error in answer.detail:
            loc = list(error.get("loc", []))
            if answer.status != 422 or loc[:1] != ["query"] or error.get("type") != "missing":
                continue
            if _annotation(obs, answer.method, answer.path, loc[-1]) is inspect.Parameter.empty:
                return [
                    Diagnosis(
                        "untyped_parameter",
                        f"{answer.method} {answer.path} answered 422: the endpoint's parameter "
                        f"`{loc[-1]}` has no type annotation, so FastAPI took it for a required "
                        f"query parameter (loc {loc}).",
                        "annotate it: FastAPI injects `BackgroundTasks`, `Request` and the like "
                        f"by their type (`{loc[-1]}: BackgroundTasks`).",
                        "ch21_background_work",
                    )
                ]
    return []


def settings_from_body(obs: Observations) -> list[Diagnosis]:
    try:
        from pydantic import BaseModel
        from pydantic_settings import BaseSettings
    except ImportError:  # pragma: no cover - a dependency of the course
        return []
    for answer in obs.answers:
        for error in answer.detail:
            loc = list(error.get("loc", []))
            if answer.status != 422 or loc[:1] != ["body"] or len(loc) != 2:
                continue
            annotation = _annotation(obs, answer.method, answer.path, loc[-1])
            if (
                "form" in answer.content_type
                and isinstance(annotation, type)
                and issubclass(annotation, BaseModel)
            ):
                return [
                    Diagnosis(
                        "model_not_form",
                        f"{answer.method} {answer.path} sent a {answer.content_type} form, and "
                        f"answered 422: the endpoint's parameter `{loc[-1]}` is typed "
                        f"`{annotation.__name__}`, a Pydantic model, which FastAPI reads from a "
                        f"JSON body, not from form fields (loc {loc}).",
                        f"`{loc[-1]}: Annotated[{annotation.__name__}, Form()]` reads the "
                        "model's fields from the form.",
                        "ch22_uploads",
                    )
                ]
            if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
                return [
                    Diagnosis(
                        "settings_from_body",
                        f"{answer.method} {answer.path} answered 422: the endpoint's parameter "
                        f"`{loc[-1]}` is typed `{annotation.__name__}`, a Pydantic model, so "
                        f"FastAPI read it from the request body (loc {loc}).",
                        "ask for it as a dependency: `Annotated[Settings, Depends(get_settings)]`.",
                        "ch20_settings_lifespan",
                    )
                ]
    return []


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
            return [
                Diagnosis(
                    "task_not_callable",
                    f"The app raised TypeError{_at(r)}: {_said(r, 160)}. `add_task` was given "
                    "something that is not a function; probably the job was called "
                    "(`add_task(send(...))`), which hands over its coroutine instead.",
                    "pass the function and its arguments separately: "
                    "`background_tasks.add_task(send, arg1, arg2)`.",
                    "ch21_background_work",
                )
            ]
    return []


def query_not_body(obs: Observations) -> list[Diagnosis]:
    found = []
    for answer in obs.answers:
        query = [e for e in answer.detail if list(e.get("loc", []))[:1] == ["query"]]
        if answer.status == 422 and (answer.sent_json or answer.content_type) and query:
            names = ", ".join(f"`{e['loc'][-1]}`" for e in query)
            found.append(
                Diagnosis(
                    "query_not_body",
                    f"{answer.method} {answer.path} sent a "
                    f"{'JSON body' if answer.sent_json else answer.content_type + ' body'}, "
                    "yet FastAPI looked for "
                    f"{names} in the query string (loc {query[0]['loc']}): plain scalar "
                    "parameters are read from the query.",
                    "one Pydantic model parameter for the body (or `Body()`).",
                    "ch02_request_validation",
                )
            )
    return found[:1]


def extra_forbidden(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        extra = [e for e in answer.detail if e.get("type") == "extra_forbidden"]
        if answer.status == 422 and extra:
            names = ", ".join(f"`{e['loc'][-1]}`" for e in extra)
            return [
                Diagnosis(
                    "extra_forbidden",
                    f"{answer.method} {answer.path} answered 422 because the model forbids "
                    f"extra fields (`extra='forbid'`) and the request had {names}.",
                    "decide per model: forbid unknown fields (a 422 the client can read) or "
                    "ignore them, the default; never `extra='allow'` on a model you store.",
                    "ch02_request_validation",
                )
            ]
    return []


def db_text_leak(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        match = DB_TEXT.search(answer.body)
        if match and answer.status < 500:
            start = max(0, match.start() - 40)
            return [
                Diagnosis(
                    "db_text_leak",
                    f"{answer.method} {answer.path} answered {answer.status} with the database's "
                    f"own error text in the body: ...{answer.body[start : match.end() + 40]}...",
                    "answer with your own detail; keep the driver's text in the logs.",
                    "ch06_http_errors",
                )
            ]
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


def cors_preflight(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        if answer.method == "OPTIONS" and answer.status in (400, 405):
            why = (
                "no route or middleware answers OPTIONS, so CORSMiddleware is not installed"
                if answer.status == 405
                else f"CORSMiddleware refused it: {answer.body[:120]}"
            )
            return [
                Diagnosis(
                    "cors_preflight",
                    f"The CORS preflight OPTIONS {answer.path} answered {answer.status}: {why}.",
                    "`app.add_middleware(CORSMiddleware, allow_origins=[...])` naming each "
                    "trusted origin.",
                    "ch10_middleware_cors",
                )
            ]
    return []


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
        if r.type == "AttributeError" and match:
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
    known = {"MissingGreenlet", "ResponseValidationError"}
    if any("(sqlalchemy.exc.MissingGreenlet)" in r.message for r in obs.raised):
        return []
    if coroutine_as_value(obs) or state_not_set(obs):
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
        if r.errors:
            said += (
                " ("
                + "; ".join(
                    f"`{_field(e)}`: {_first_line(e['msg'])} (got {e['input_type']})"
                    for e in _distinct(r.errors)
                )
                + ")"
            )
        found.append(
            Diagnosis(
                "unhandled",
                said,
                "handle it, or find why it is raised; FastAPI answered 500 for it.",
            )
        )
    return found[:1]


def request_refused(obs: Observations) -> list[Diagnosis]:
    """A 422 that no sharper rule explained: where FastAPI looked and what it refused."""
    for answer in obs.answers:
        if answer.status != 422 or not answer.detail:
            continue
        if (answer.method, answer.path) in obs.succeeded:
            continue  # the same route also answered success: this 422 may be one the check wanted
        body_missing = [
            e
            for e in answer.detail
            if list(e.get("loc", []))[:1] == ["body"] and e.get("type") == "missing"
        ]
        if body_missing and not answer.content_type and len(body_missing[0]["loc"]) <= 2:
            return [
                Diagnosis(
                    "body_expected",
                    f"{answer.method} {answer.path} sent no body, yet FastAPI wanted one "
                    f"(loc {body_missing[0]['loc']}): a parameter typed with a Pydantic model "
                    "(a BaseSettings too) is read from the request body unless it is a "
                    "dependency.",
                    "`Annotated[Settings, Depends(get_settings)]` for something the app "
                    "provides; a body model only for what the client sends.",
                    "ch20_settings_lifespan",
                )
            ]
        listed = "; ".join(
            f"`{'.'.join(str(p) for p in e.get('loc', []))}`: {e.get('msg', '')}"
            for e in answer.detail[:5]
        )
        sent = f" (the request was sent as {answer.content_type})" if answer.content_type else ""
        return [
            Diagnosis(
                "request_refused",
                f"{answer.method} {answer.path} answered 422: FastAPI's validation refused the "
                f"request before the endpoint ran{sent}: {listed}.",
                "make the parameters and the request model accept what the client sends "
                "(the `loc` says where FastAPI looked: `body`, `query`, `path`).",
                "ch02_request_validation",
            )
        ]
    return []


RULES: tuple[Rule, ...] = (
    unawaited,
    missing_greenlet,
    response_validation,
    router_not_included,
    untyped_parameter,
    settings_from_body,
    coroutine_as_value,
    query_not_body,
    extra_forbidden,
    db_text_leak,
    different_loop,
    pool_timeout,
    cors_preflight,
    text_for_datetime,
    state_not_set,
    unhandled,
)


def diagnose(obs: Observations) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    for rule in RULES:
        found.extend(rule(obs))
    if not any(d.name == "router_not_included" for d in found):
        found.extend(not_found(obs))
    sharper = (
        "query_not_body",
        "extra_forbidden",
        "untyped_parameter",
        "settings_from_body",
        "model_not_form",
    )
    if any(d.name == "untyped_parameter" for d in found):
        found = [d for d in found if d.name != "query_not_body"]
    if not any(d.name in sharper for d in found):
        found.extend(request_refused(obs))
    seen: set[str] = set()
    unique = []
    for diagnosis in found:
        if diagnosis.cause not in seen:
            seen.add(diagnosis.cause)
            unique.append(diagnosis)
    return unique[:3]


def render(diagnoses: list[Diagnosis], root: Path | None = None) -> str:
    """The block appended to a failure message (empty when nothing was diagnosed)."""
    if not diagnoses:
        return ""
    lines = [HEADING]
    for d in diagnoses:
        see = ""
        if d.chapter and root is not None and (root / "lessons" / f"{d.chapter}.md").is_file():
            see = f" (see lessons/{d.chapter}.md)"
        lines.append(f"- {d.cause}\n  Instead: {d.advice}{see}")
    return "\n".join(lines)
