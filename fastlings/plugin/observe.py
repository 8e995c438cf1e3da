"""What the app really did while a check ran, so that a failure can name its cause.

`make_client` hands every app it serves to `serving.observe_app`, which records each unhandled
exception (with the frame in the learner's file) and each request the app returned from without
a complete response, each response with an unexpected status (its body, FastAPI's validation
errors, and for a 404 the routes the app has; a status the check marked as expected with
`fastlings.testing.expecting` is left out), and the warnings raised during the check
(`pytest_warning_recorded`). `fastlings/plugin/diagnoses/` turns these observations into the
causes it can name.
"""

from __future__ import annotations

import inspect
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
    sql: str | None = None
    """For a SQLAlchemy `StatementError`: the SQL it sent (or tried to), as the driver got it."""
    sql_params: Any = None
    """...and the parameters that went with it (a dict, a tuple, or a list of them)."""
    building_middleware: bool = False
    """Raised while Starlette built the app's middleware stack (on the app's first request)."""
    called_from: str | None = None
    """`file:line (in function): `source`` of the outermost frame in the learner's file, when it
    is another than `where` (the endpoint or job that called the helper that raised)."""
    after_response: bool = False
    """It left the app after the response's last body message had been sent (a background
    job's error, say): the client had its answer, and only the server saw the exception."""


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
    unanswered: list[str] = field(default_factory=list)
    """`METHOD /path` of each request the app returned from without finishing a response."""


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


def _coroutine_name(value: object) -> str:
    """The qualified name of the function a coroutine object came from ("" for other values)."""
    return str(getattr(value, "__qualname__", "")) if inspect.iscoroutine(value) else ""


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, then the exceptions it was raised from or during (`__cause__`, `__context__`)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def raised(exc: BaseException, learner_file: Path | None) -> Raised:
    where = line = called_from = None
    if learner_file is not None:
        target = str(learner_file.resolve())
        # The learner's frame in the exception itself, else in the one it was raised from (a
        # framework error wrapping what the learner's code raised).
        for link in _chain(exc):
            mine = [
                frame
                for frame in traceback.extract_tb(link.__traceback__)
                if str(Path(frame.filename).resolve()) == target
            ]
            if mine:
                where = f"{_rel(learner_file)}:{mine[-1].lineno} (in {mine[-1].name})"
                line = (mine[-1].line or "").strip() or None
                if len(mine) > 1 and mine[0].name != mine[-1].name:
                    outer = (mine[0].line or "").strip()
                    called_from = f"{_rel(learner_file)}:{mine[0].lineno} (in {mine[0].name})"
                    called_from += f": `{outer}`" if outer else ""
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
                            "input_name": _coroutine_name(error.get("input")),
                        }
                    )
        except Exception:
            errors = []
    message = str(exc).strip().splitlines()[0][:2000] if str(exc).strip() else ""
    found = Raised(type(exc).__name__, message, where, line, errors, called_from=called_from)
    found.sql, found.sql_params = _statement(exc)
    found.building_middleware = any(
        frame.name == "build_middleware_stack"
        for link in _chain(exc)
        for frame in traceback.extract_tb(link.__traceback__)
    )
    return found


def _statement(exc: BaseException) -> tuple[str | None, Any]:
    """The SQL and parameters a SQLAlchemy `StatementError` carries (None for other errors)."""
    statement = getattr(exc, "statement", None)
    if not isinstance(statement, str):
        return None, None
    return statement[:2000], getattr(exc, "params", None)
