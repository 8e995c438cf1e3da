"""What the app really did while a check ran, so that a failure can name its cause.

`make_client` hands every app it serves to `observe_app`, which records each unhandled
exception (with the frame in the learner's file), each response with an unexpected status
(its body, FastAPI's validation errors, and for a 404 the routes the app has), and the
warnings raised during the check (`pytest_warning_recorded`). `fastlings/plugin/diagnoses.py`
turns these observations into the causes it can name.
"""

from __future__ import annotations

import json
import linecache
import traceback
import warnings
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

observations_key = pytest.StashKey["Observations"]()
BODY_LIMIT = 1500


@dataclass
class Raised:
    """An exception the app did not handle."""

    type: str
    message: str
    where: str | None
    """`file:line (in function)` of the innermost frame in the learner's file, if any."""
    line: str | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    """`ResponseValidationError.errors()` and the like: loc, msg, type, the input's type."""


@dataclass
class Answer:
    """A response whose status was 4xx or 5xx."""

    method: str
    path: str
    status: int
    body: str
    sent_json: bool
    detail: list[dict[str, Any]] = field(default_factory=list)
    """FastAPI's 422 `detail` entries (loc, msg, type)."""
    content_type: str = ""
    """The request's content type ("" when it sent no body)."""
    routes: list[str] = field(default_factory=list)
    """For a 404: `METHOD /path` of every route the app has."""


@dataclass
class Seen:
    """A warning raised while the check ran."""

    category: str
    message: str
    where: str
    line: str | None = None
    """The source line the warning points at."""


@dataclass
class Observations:
    learner_file: Path | None = None
    module: ModuleType | None = None
    raised: list[Raised] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    warnings: list[Seen] = field(default_factory=list)
    succeeded: set[tuple[str, str]] = field(default_factory=set)
    """`(method, path)` of the requests that got a 2xx/3xx answer."""
    db_url: str | None = None
    """The database URL the check gave the app (its `DATABASE_URL`)."""


def for_item(item: pytest.Item) -> Observations:
    found = item.stash.get(observations_key, None)
    if found is None:
        found = Observations()
        item.stash[observations_key] = found
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for_item(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Record the warnings raised while the check runs (pytest itself reports them only after
    the check's report is made), then hand them on to pytest unchanged."""
    observations = for_item(item)
    recording = warnings.catch_warnings(record=True)
    log = recording.__enter__()
    try:
        return (yield)
    finally:
        recording.__exit__(None, None, None)
        for w in log:
            where = f"{_rel(Path(str(w.filename)))}:{w.lineno}"
            line = linecache.getline(str(w.filename), w.lineno).strip() or None
            observations.warnings.append(Seen(w.category.__name__, str(w.message), where, line))
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, then the exceptions it was raised from or during (`__cause__`, `__context__`)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def raised(exc: BaseException, learner_file: Path | None) -> Raised:
    where = line = None
    if learner_file is not None:
        target = str(learner_file.resolve())
        # The learner's frame in the exception itself, else in the one it was raised from (a
        # framework error wrapping what the learner's code raised).
        for link in _chain(exc):
            for frame in reversed(traceback.extract_tb(link.__traceback__)):
                if str(Path(frame.filename).resolve()) == target:
                    where = f"{_rel(learner_file)}:{frame.lineno} (in {frame.name})"
                    line = (frame.line or "").strip() or None
                    break
            if where is not None:
                break
    errors: list[dict[str, Any]] = []
    errors_of = getattr(exc, "errors", None)
    if callable(errors_of):
        try:
            for error in list(errors_of())[:5]:
                if isinstance(error, dict):
                    errors.append(
                        {
                            "loc": list(error.get("loc", ())),
                            "msg": str(error.get("msg", ""))[:300],
                            "detail": str(error.get("msg", ""))[:3000],
                            "type": str(error.get("type", "")),
                            "input_type": type(error.get("input")).__name__,
                        }
                    )
        except Exception:
            errors = []
    message = str(exc).strip().splitlines()[0][:2000] if str(exc).strip() else ""
    return Raised(type(exc).__name__, message, where, line, errors)


def observe_app(app: Any, observations: Observations) -> Any:
    """An ASGI callable that serves `app` and records what it raises."""

    async def observed(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception as exc:
            observations.raised.append(raised(exc, observations.learner_file))
            raise

    return observed


DOCS_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def app_routes(app: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """`(full path, route)` of every route of `app` (or of a router), included routers too:
    FastAPI 0.165 keeps an included router as one entry pointing at the original router."""
    found: list[tuple[str, Any]] = []
    for route in getattr(app, "routes", []):
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            found.extend(app_routes(included, prefix + str(getattr(context, "prefix", ""))))
        elif isinstance(getattr(route, "path", None), str):
            found.append((prefix + route.path, route))
    return found


def route_list(app: Any) -> list[str]:
    """`METHODS /path` of the app's own routes (FastAPI's docs pages left out)."""
    found = []
    for path, route in app_routes(app):
        if path in DOCS_PATHS:
            continue
        methods = sorted(getattr(route, "methods", None) or [])
        found.append(f"{'/'.join(methods) or 'WS'} {path}")
    return found


def response_hook(app: Any, observations: Observations) -> Any:
    """An httpx response hook that records each 4xx/5xx answer."""

    async def hook(response: Any) -> None:
        if response.status_code < 400:
            observations.succeeded.add((response.request.method, response.request.url.path))
            return
        await response.aread()
        request = response.request
        body = response.text[:BODY_LIMIT]
        detail: list[dict[str, Any]] = []
        if response.status_code == 422:
            try:
                parsed = json.loads(response.text)
            except ValueError:
                parsed = None
            entries = parsed.get("detail") if isinstance(parsed, dict) else None
            if isinstance(entries, list):
                detail = [e for e in entries if isinstance(e, dict)][:8]
        sent_json = "json" in request.headers.get("content-type", "")
        observations.answers.append(
            Answer(
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                body=body,
                sent_json=sent_json,
                detail=detail,
                content_type=request.headers.get("content-type", "").split(";")[0],
                routes=route_list(app) if response.status_code in (404, 405) else [],
            )
        )

    return hook
