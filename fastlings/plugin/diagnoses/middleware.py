"""Diagnoses of middleware mistakes: a CORS preflight no middleware allowed, a middleware that
could not be built, a request left without a response, a function middleware that returned
nothing, a header value that is not a str."""

from __future__ import annotations

import re
from typing import Any

from fastlings.plugin.diagnoses.base import Diagnosis, _at
from fastlings.plugin.observe import Observations


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


def no_response(obs: Observations) -> list[Diagnosis]:
    if not obs.unanswered:
        return []
    requests = ", ".join(obs.unanswered[:3])
    return [
        Diagnosis(
            "no_response",
            f"The app returned from {requests} without sending a complete response (no "
            "`http.response.start`, or no final body), so the server answered 500 for it: an "
            "ASGI middleware returned (or swallowed an exception) without calling `send`; a "
            "response object it returns is ignored.",
            "send every response through `send`: `await response(scope, receive, send)` "
            "(in a pure ASGI middleware, through the wrapped `send`), or re-raise.",
            "ch10_middleware_cors",
        )
    ]


def _function_middleware(obs: Observations) -> list[str]:
    """The names of the `@app.middleware("http")` functions of the learner's apps."""
    if obs.module is None:
        return []
    try:
        from fastapi import FastAPI
        from starlette.middleware.base import BaseHTTPMiddleware
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    names = []
    for app in [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]:
        for entry in app.user_middleware:
            dispatch: Any = getattr(entry, "kwargs", {}).get("dispatch")
            if getattr(entry, "cls", None) is BaseHTTPMiddleware and dispatch is not None:
                names.append(getattr(dispatch, "__name__", repr(dispatch)))
    return names


def middleware_returned_none(obs: Observations) -> list[Diagnosis]:
    names = _function_middleware(obs)
    for r in obs.raised:
        if names and r.where is None and r.message == "'NoneType' object is not callable":
            listed = ", ".join(f"`{n}`" for n in names)
            return [
                Diagnosis(
                    "middleware_returned_none",
                    f"The app raised TypeError outside your code: {r.message}. The app has the "
                    f'function middleware {listed} (`@app.middleware("http")`), and Starlette '
                    "calls what such a function returns as the response: probably it returned "
                    "None (no `return response`).",
                    "`response = await call_next(request)`, change it, then `return response`.",
                    "ch10_middleware_cors",
                )
            ]
    return []


NO_ENCODE = re.compile(r"'(\w+)' object has no attribute 'encode'")


def header_not_str(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NO_ENCODE.search(r.message)
        line = r.line or ""
        if r.type != "AttributeError" or match is None or "eaders" not in line:
            continue
        if re.search(r"MutableHeaders\((?!\s*(scope|raw|headers)\s*=)\s*\w", line):
            return [
                Diagnosis(
                    "headers_of_message",
                    f"The app raised AttributeError{_at(r)}: {r.message}. `MutableHeaders(x)` "
                    "reads `x` as a mapping of header names to values, and an ASGI message "
                    f"is not one (it holds a value of type {match.group(1)}, not a header).",
                    "`MutableHeaders(scope=message)` edits the header list of the "
                    "`http.response.start` message in place.",
                    "ch10_middleware_cors",
                )
            ]
        return [
            Diagnosis(
                "header_not_str",
                f"The app raised AttributeError{_at(r)}: {r.message}. A header was given a "
                f"value of type {match.group(1)}; Starlette encodes header values as text, so each "
                "must be a str.",
                'format it first: `headers["X-Process-Time"] = f"{seconds:.6f}"`, `str(value)`.',
                "ch10_middleware_cors",
            )
        ]
    return []


UNEXPECTED_KEYWORD = re.compile(r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'")


def _declared(obs: Observations) -> list[tuple[Any, dict[str, Any]]]:
    """`(cls, kwargs)` of each middleware declared on the learner's apps, in order."""
    if obs.module is None:
        return []
    try:
        from starlette.applications import Starlette
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    apps = [v for v in vars(obs.module).values() if isinstance(v, Starlette)]
    return [
        (getattr(entry, "cls", None), dict(getattr(entry, "kwargs", {})))
        for app in apps
        for entry in app.user_middleware
    ]


def _parameters(cls: Any) -> str:
    import inspect

    try:
        names = list(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return ""
    return ", ".join(f"`{n}`" for n in names if n not in ("app", "self", "args", "kwargs"))


def _why_not_built(obs: Observations, message: str) -> tuple[str, str] | None:
    """The middleware's name, and what its declaration shows about the error, when it shows
    something."""
    from starlette.middleware import Middleware

    declared = _declared(obs)
    for cls, _ in declared:
        if isinstance(cls, Middleware):
            name = getattr(cls.cls, "__name__", repr(cls.cls))
            return name, (
                f"`app.add_middleware` was given a `Middleware({name}, ...)` object where it "
                "takes the middleware class itself, so Starlette called that object as if it "
                "were the class."
            )
    match = UNEXPECTED_KEYWORD.search(message)
    for cls, _ in declared:
        if match and getattr(cls, "__name__", None) == match.group(1):
            takes = _parameters(cls)
            return match.group(1), f"`{match.group(1)}` has no parameter `{match.group(2)}`" + (
                f"; it takes {takes}." if takes else "."
            )
    for cls, kwargs in declared:
        empty = [k for k, v in kwargs.items() if v is None]
        if empty:
            name = str(getattr(cls, "__name__", cls))
            return name, f"`{name}` was given {', '.join(f'{k}=None' for k in empty)}."
    return None


def middleware_not_built(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if not r.building_middleware or r.where is not None:
            continue
        found = _why_not_built(obs, r.message)
        if found is None:
            continue
        name, why = found
        return [
            Diagnosis(
                "middleware_not_built",
                f"The app raised {r.type} while Starlette built its middleware (it does so when "
                f"the first request arrives, so every request answered 500): {r.message}. {why}",
                f"`app.add_middleware({name}, ...)` or `FastAPI(middleware=[Middleware({name}, "
                f"...)])`, with {name}'s own parameter names, each given a value of the type it "
                "expects.",
                "ch10_middleware_cors",
            )
        ]
    return []


MIDDLEWARE_RULES = (no_response, middleware_not_built, middleware_returned_none, header_not_str)
