"""What the correct users app answered a learner's test, so that a test that fails on it can be
reported with what it received (chapter 9's checks run the learner's tests, not requests of
their own).

`record` wraps the app's middleware stack (built lazily by Starlette, so the learner's app
object, its routes and its overrides stay as they are) in a pass-through ASGI callable that
notes each HTTP request the app answered with a status of 300 or more: the method, the path,
the status, and what explains it, as observed:

- a 404 or 405: whether any of the app's routes matches the path, and the app's routes;
- a 422: FastAPI's `detail` entries, and the content type the request was sent with;
- a 500: the exception the app raised, and the innermost line of the built module it passed
  through (the users app's own code, or the learner's code, e.g. an override);
- a redirect: where it points.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from fastlings.plugin.routes import route_list

BODY_LIMIT = 300


@dataclass
class Where:
    """Lines of the built module: the app's code above `tests_start`, the learner's below it,
    each shifted by `shift` to its number in the learner's file."""

    module: str  # the built module's path, resolved
    tests_start: int  # the first line of the learner's tests in the built module
    shift: int  # learner's line = built line + shift

    def describe(self, lineno: int, code: str | None, function: str) -> str:
        code = (code or "").strip()
        if lineno >= self.tests_start:
            return f"your line {lineno + self.shift}: `{code}` (in {function})"
        return f"the users app's line `{code}` (in {function})"

    def innermost(self, tb: Any, *, tests_only: bool = False) -> str | None:
        """The innermost frame of `tb` in the built module (in the learner's tests only, if
        `tests_only`), described."""
        for frame in reversed(traceback.extract_tb(tb)):
            lineno = frame.lineno or 0
            mine = lineno >= self.tests_start or not tests_only
            if mine and os.path.realpath(frame.filename) == self.module:
                return self.describe(lineno, frame.line, frame.name)
        return None

    def learner_line(self, tb: Any) -> str | None:
        """Where in the learner's tests a test failed: the innermost of their lines in `tb`."""
        return self.innermost(tb, tests_only=True)


@dataclass
class Received:
    """The answers (status 300 and over) the app gave during one test."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        if len(self.lines) < 4 and line not in self.lines:
            self.lines.append(line)


def record(app: Any, where: Where, log: list[Received]) -> None:
    """Make `app` note its answers in `log[-1]` (the current test's), once per app."""
    if getattr(app, "_ch09_recorded", False) or not hasattr(app, "build_middleware_stack"):
        return
    build = app.build_middleware_stack

    def build_recorded() -> Any:
        return _recorder(build(), app, where, log)

    app.build_middleware_stack = build_recorded
    if getattr(app, "middleware_stack", None) is not None:  # already served a request
        app.middleware_stack = _recorder(app.middleware_stack, app, where, log)
    app._ch09_recorded = True


def _recorder(inner: Any, app: Any, where: Where, log: list[Received]) -> Any:
    async def recorded(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or not log:
            await inner(scope, receive, send)
            return
        request = dict(scope)  # before routing adds to it
        answer: dict[str, Any] = {"status": 0, "body": b"", "location": ""}

        async def noting(message: Any) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = dict(message.get("headers") or [])
                answer["location"] = headers.get(b"location", b"").decode("latin-1")
            elif message["type"] == "http.response.body" and answer["status"] >= 400:
                answer["body"] += message.get("body", b"")[: 4 * BODY_LIMIT]
            await send(message)

        try:
            await inner(scope, receive, noting)
        except Exception as exc:
            log[-1].add(_line(request, 500, _raised(exc, where)))
            raise
        if answer["status"] >= 300:
            log[-1].add(_line(request, answer["status"], _explain(app, request, answer)))

    return recorded


def _line(request: dict[str, Any], status: int, why: str) -> str:
    query = request.get("query_string", b"").decode("latin-1")
    target = request.get("path", "") + (f"?{query}" if query else "")
    return f"{request.get('method', '')} {target} answered {status}" + (f": {why}" if why else "")


def _raised(exc: BaseException, where: Where) -> str:
    message = str(exc).strip().splitlines()[0][:BODY_LIMIT] if str(exc).strip() else ""
    found = f"the app raised {type(exc).__name__}" + (f": {message}" if message else "")
    line = where.innermost(exc.__traceback__)
    return found + (f", at {line}" if line else "")


def _explain(app: Any, request: dict[str, Any], answer: dict[str, Any]) -> str:
    status: int = answer["status"]
    body: str = answer["body"].decode("utf-8", "replace")
    if status < 400:
        return f"a redirect to {answer['location']}" if answer["location"] else ""
    if status in (404, 405):
        from starlette.routing import Match

        routes = getattr(getattr(app, "router", None), "routes", [])
        matches = [route.matches(dict(request))[0] for route in routes]
        listing = ", ".join(route_list(app))
        path = request.get("path", "")
        if Match.FULL in matches and status == 404:
            return f"the app's route for that path answered with the body {body[:BODY_LIMIT]}"
        if Match.PARTIAL in matches:
            return f"the app's route for {path} takes other methods; its routes: {listing}"
        return f"the app has no route for {path}; its routes: {listing}"
    if status == 422:
        return _validation(body, request)
    return body[:BODY_LIMIT]


def _validation(body: str, request: dict[str, Any]) -> str:
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        detail = None
    if not isinstance(detail, list):
        return body[:BODY_LIMIT]
    errors = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', []))}: {error.get('msg', '')}"
        for error in detail[:3]
        if isinstance(error, dict)
    )
    headers = dict(request.get("headers") or [])
    sent = headers.get(b"content-type", b"").decode("latin-1").split(";")[0]
    if sent and "json" not in sent:
        errors += f" (the request was sent as {sent}, not JSON)"
    return errors
