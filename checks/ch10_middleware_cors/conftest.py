"""Chapter 10's checks drive the learner's app through the plugin's `make_client` (lifespan
entered, overrides cleared). These apps have no database, so `wired` is not needed."""

import inspect
from collections.abc import AsyncIterator
from types import ModuleType

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.errors import ServerErrorMiddleware

from checks.ch10_middleware_cors._app import fastapi_app
from fastlings.testing import UNANSWERED_HEADER, ClientFactory, Teach


@pytest.fixture
async def client(
    module: ModuleType, make_client: ClientFactory, teach: Teach
) -> AsyncIterator[httpx.AsyncClient]:
    """The learner's app over ASGITransport; unhandled exceptions become 500 responses."""
    async with make_client(fastapi_app(module, teach)) as http:
        yield http


async def assert_sent_id_echoed_or_fresh(
    client: httpx.AsyncClient, sent: str, earlier: list[str], teach: Teach, observed: str
) -> None:
    """GET /items/1 with `X-Request-ID: sent` gets back a non-empty id that none of the
    `earlier` responses carried; `observed` is the failure's first sentence, with `{got!r}`
    where the id that came back goes."""
    response = await client.get("/items/1", headers={"X-Request-ID": sent})
    got = response.headers.get("x-request-id", "")
    assert got.strip() and got not in earlier, teach(
        observed.format(got=got),
        "the client's id echoed back, or a fresh one: never empty, never an earlier id",
    )


def _is_middleware(value: object, module: ModuleType) -> bool:
    """A class or function of the learner's module shaped like a middleware: a class with an
    `async __call__(self, scope, receive, send)` (or a BaseHTTPMiddleware), or an
    `async def f(request, call_next)`."""
    if getattr(value, "__module__", None) != module.__name__:
        return False
    if isinstance(value, type):
        if issubclass(value, BaseHTTPMiddleware):
            return True
        call = value.__dict__.get("__call__")
        return inspect.iscoroutinefunction(call) and len(inspect.signature(call).parameters) == 4
    if inspect.iscoroutinefunction(value):
        return "call_next" in inspect.signature(value).parameters
    return False


def middleware_note(app: FastAPI, module: ModuleType) -> str:
    """What the app's middleware stack holds, and any middleware of the module it leaves out:
    a sentence for a check whose header is missing."""
    registered: list[object] = []
    for entry in app.user_middleware:
        registered.append(entry.kwargs.get("dispatch") or entry.cls)
    unused = [
        name
        for name, value in vars(module).items()
        if _is_middleware(value, module) and value not in registered
    ]
    if unused:
        names = ", ".join(f"`{name}`" for name in unused)
        return (
            f" The module defines the middleware {names}, but the app never registers it "
            '(`app.add_middleware(...)`, `FastAPI(middleware=[...])` or `@app.middleware("http")`).'
        )
    if not registered:
        return " The app registers no middleware."
    names = ", ".join(getattr(m, "__name__", repr(m)) for m in registered)
    return f" The app's middleware: {names}."


DEFAULT_500_MARK = "x-fastlings-default-500"


@pytest.fixture
def marked_default_500(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starlette's own 500 (ServerErrorMiddleware's default answer, sent when no code of the
    app answered the crash) carries a marker header, so a failure can say who sent the 500."""
    default = ServerErrorMiddleware.error_response

    def marked(self: ServerErrorMiddleware, request: Request, exc: Exception) -> Response:
        response = default(self, request, exc)
        response.headers[DEFAULT_500_MARK] = "1"
        return response

    monkeypatch.setattr(ServerErrorMiddleware, "error_response", marked)


def headers_of(response: httpx.Response) -> list[str]:
    """The response's header names, the checks' own markers left out."""
    marks = (DEFAULT_500_MARK, UNANSWERED_HEADER)
    return sorted(name for name in response.headers if name not in marks)


def who_sent_500(response: httpx.Response, app: FastAPI) -> str:
    """Who sent a 500 that lacks the headers: Starlette's default answer, the app's exception
    handler, or the learner's middleware through a `send` that adds nothing."""
    if UNANSWERED_HEADER in response.headers:
        return (
            "No code of the app sent it: the app returned without sending any response, and "
            "the server answered 500 in its place."
        )
    if DEFAULT_500_MARK in response.headers:
        return (
            "Starlette's ServerErrorMiddleware sent it (its default answer: no code of yours "
            'answered the crash). Neither `@app.middleware("http")` (its `call_next` raises) '
            "nor a pure ASGI middleware that only wraps `send` sees that answer: "
            "ServerErrorMiddleware sits outside all user middleware."
        )
    if Exception in app.exception_handlers or 500 in app.exception_handlers:
        return (
            "The app's exception handler for Exception answered it, and Starlette's "
            "ServerErrorMiddleware, outside all user middleware, sends what that handler "
            "returns: no middleware sees it, so only the handler could add the header."
        )
    return (
        "Your code answered the crash itself (this is not Starlette's default 500), but without "
        "the header: sent through the `send` the middleware was given rather than its wrapper, "
        "or returned without it."
    )
