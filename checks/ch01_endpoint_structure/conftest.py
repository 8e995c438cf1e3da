"""Helpers shared by the chapter 1 checks."""

import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fastlings.testing import (
    StatementLog,
    Teach,
    WiredApp,
    find_operation,
    json_schema_of,
    resolve_ref,
    unexpected_answers,
)

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
"""A valid sign-up, the body most checks of the chapter post."""
INVALID: list[tuple[Any, str]] = [
    ({"name": "Ada Lovelace"}, "the email is missing"),
    ({"email": "ada@example.com"}, "the name is missing"),
    ({}, "the body is an empty object"),
    ({"email": "ada@example.com", "name": 42}, "the name is a number, not a string"),
    (["ada@example.com", "Ada"], "the body is a list, not an object"),
]
"""Sign-up bodies a request model must refuse, with what is wrong with each."""


@dataclass
class GetDbSpy:
    """What the learner's own `get_db` handed out, recorded by a pass-through override."""

    sessions: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    handed: str = ""
    """How get_db handed its session over: "yielded" (a generator) or "returned"."""
    asked: int = 0
    """How many times a request called get_db (whether or not it handed a session over)."""


@pytest.fixture
async def get_db_spy(module: ModuleType, wired: WiredApp) -> AsyncIterator[GetDbSpy]:
    """Runs the learner's real `get_db` (no replacement session) and records what it yields.

    Use with `wire(override=False)` semantics: the override calls the learner's dependency
    itself, so its engine, factory and clean-up are what the request gets. Afterwards every
    recorded session is closed, so a session the app leaked cannot hold a connection past
    the check (this fixture needs `wired`, so its teardown runs before engines are disposed).
    """
    spy = GetDbSpy()
    original: Callable[[], Any] = module.get_db

    if any(
        p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        for p in inspect.signature(original).parameters.values()
    ):
        pytest.fail(
            f"get_db takes parameters {list(inspect.signature(original).parameters)}; this "
            "check calls it without any.\nExpected: `async def get_db()`, with no parameters, "
            "yielding a session",
            pytrace=False,
        )

    async def pass_through() -> AsyncIterator[Any]:
        spy.asked += 1
        if inspect.isasyncgenfunction(original):
            async with asynccontextmanager(original)() as value:
                spy.sessions.append(value)
                spy.handed = "yielded"
                yield value
        elif inspect.isgeneratorfunction(original):
            with contextmanager(original)() as value:
                spy.sessions.append(value)
                spy.handed = "yielded"
                yield value
        else:
            value = original()
            if inspect.isawaitable(value):
                value = await value
            spy.sessions.append(value)
            spy.handed = "returned"
            yield value

    wired.app.dependency_overrides[original] = pass_through
    try:
        yield spy
    finally:
        for session in spy.sessions:
            if isinstance(session, AsyncSession):
                await session.close()


def module_engines(module: ModuleType) -> list[AsyncEngine]:
    return [value for value in vars(module).values() if isinstance(value, AsyncEngine)]


def _included(app: FastAPI) -> list[object]:
    """The routers mounted on `app` with include_router, nested ones included."""
    found: list[object] = []
    pending = list(app.router.routes)
    while pending:
        route = pending.pop()
        original = getattr(route, "original_router", None)  # FastAPI keeps included routers
        if original is not None:
            found.append(original)
            pending.extend(original.routes)
    return found


def routers_holding(module: ModuleType, app: FastAPI, method: str) -> list[str]:
    """Names of the module's APIRouters (other than the app's own) that are mounted on the app
    and hold a `method` route. The prefix may be on the router or on include_router."""
    mounted = _included(app)
    app_endpoints = {
        route.endpoint for route in app.routes if isinstance(route, APIRoute)
    }  # older FastAPI copied the routes of an included router into the app
    names = []
    for name, value in vars(module).items():
        if not isinstance(value, APIRouter) or value is app.router:
            continue
        routes = [
            r
            for r in value.routes
            if isinstance(r, APIRoute) and method.upper() in (r.methods or set())
        ]
        if routes and (
            any(value is m for m in mounted) or any(r.endpoint in app_endpoints for r in routes)
        ):
            names.append(name)
    return names


def unmounted_routers(module: ModuleType, app: FastAPI, method: str) -> list[str]:
    """Names of the module's APIRouters that hold a `method` route but are not mounted."""
    mounted = routers_holding(module, app, method)
    return [
        name
        for name, value in vars(module).items()
        if isinstance(value, APIRouter)
        and value is not app.router
        and name not in mounted
        and any(
            isinstance(r, APIRoute) and method.upper() in (r.methods or set()) for r in value.routes
        )
    ]


def app_paths(app: FastAPI) -> list[str]:
    """`METHODS /path` of the app's own routes, for a message that says what the app has."""
    return [
        f"{'/'.join(sorted(r.methods or []))} {r.path}"
        for r in app.routes
        if isinstance(r, APIRoute)
    ]


def inserts(log: StatementLog, table: str = "users") -> list[str]:
    return [
        s for s in log.statements if s.lstrip().upper().startswith(f"INSERT INTO {table}".upper())
    ]


def body_note(app: FastAPI, path: str) -> str:
    """What the OpenAPI document says FastAPI validates the body of POST `path` against."""
    openapi = app.openapi()
    found = find_operation(openapi, "post", path)
    if found is None:
        return ""
    schema = json_schema_of(found[1].get("requestBody", {}))
    if not schema:
        return (
            f" The OpenAPI document shows no request body for POST {path}: FastAPI had nothing "
            "to check the body against."
        )
    name, component = resolve_ref(openapi, schema)
    if name is None:
        return (
            f" The OpenAPI document shows the body of POST {path} as {schema}: no model, so no "
            "field is checked."
        )
    required = sorted(component.get("required", []))
    return (
        f" The OpenAPI document shows the body model {name}, which requires {required} (a "
        "field with a default, `None` too, may be left out)."
    )


async def assert_invalid_bodies_get_422(wired: WiredApp, teach: Teach, expected: str) -> None:
    """Post every INVALID body; fail, saying `expected`, unless each one was answered 422."""
    path = wired.path("post", "/users")
    wrong = [
        f"{response.status_code} when {why} ({body!r})"
        for body, why, response in await unexpected_answers(wired, "post", path, INVALID, 422)
    ]
    assert not wrong, teach(
        f"POST {path} answered " + "; ".join(wrong) + "." + body_note(wired.app, path),
        expected,
    )


async def assert_only_ada_stored(
    wired: WiredApp, teach: Teach, observed: str, expected: str
) -> None:
    """The users table holds exactly the one row for ADA; `observed` is said before the rows."""
    from fastlings.testing import fetch_rows

    rows = await fetch_rows(wired.engine, "SELECT email, name FROM users")
    assert rows == [(ADA["email"], ADA["name"])], teach(f"{observed} {rows}.", expected)
