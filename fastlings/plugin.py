"""The pytest plugin behind `checks/`: `--target`, fixtures, teaching reports and timeouts.

Loaded explicitly through `addopts = ["-p", "fastlings.plugin"]` (see pyproject.toml), so a
learner's `pytest checks/<chapter>/<file>` needs no flags. Heavy libraries (SQLAlchemy, httpx)
are imported inside the fixtures that need them, never at plugin import time.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any, cast

import pytest

from fastlings import databases
from fastlings.loader import LearnerCodeError, import_fresh
from fastlings.manifest import TARGET_DIRS, TARGETS, Entry, ManifestError, Target, load_course
from fastlings.testing import (
    ClientFactory,
    StatementLog,
    WiredApp,
    WireFactory,
    create_schema,
    override_sessions,
    require,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

TARGET_ENV = "FASTLINGS_TARGET"
DB_URL_ENV = "FASTLINGS_DB_URL"
REPORT_ENV = "FASTLINGS_REPORT"

target_key = pytest.StashKey[Target]()
kind_key = pytest.StashKey[str]()
reported_key = pytest.StashKey[set[str]]()
learner_file_key = pytest.StashKey[Path]()


# -- options and header ---------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fastlings", "Fastlings course checks")
    group.addoption(
        "--target",
        choices=TARGETS,
        default=None,
        help=f"check the learner's exercises (default) or the solutions; env {TARGET_ENV}",
    )
    group.addoption(
        "--db-url",
        default=None,
        help=f"database URL for the checks (default: a fresh SQLite per test); env {DB_URL_ENV}",
    )
    group.addoption(
        "--fastlings-report",
        default=None,
        metavar="PATH",
        help=f"write each check's outcome as JSON to PATH (used by the CLI); env {REPORT_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    _freeze_heap(config)
    raw = config.getoption("--target") or os.environ.get(TARGET_ENV) or "exercise"
    if raw not in TARGETS:
        raise pytest.UsageError(f"{TARGET_ENV}={raw!r}: choose one of {', '.join(TARGETS)}")
    config.stash[target_key] = cast(Target, raw)
    config.pluginmanager.register(ResultCollector(config), "fastlings-results")


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.stash[target_key]
    url = _db_url_option(config)
    database = databases.describe(url)
    return [f"fastlings: target={target} ({TARGET_DIRS[target]}/), database={database}"]


def _db_url_option(config: pytest.Config) -> str | None:
    value = config.getoption("--db-url") or os.environ.get(DB_URL_ENV)
    return str(value) if value else None


# -- start-up and shut-down cost --------------------------------------------------------------
# Libraries imported once (pytest, FastAPI, SQLAlchemy, ...) live for the whole run. Moving them
# to the garbage collector's permanent generation keeps later collections, and the final one at
# interpreter exit, from scanning them again: about 0.1 s of a 0.8 s one-exercise run.
FREEZE_ENV = "FASTLINGS_NO_GC_FREEZE"


def _freeze_heap(config: pytest.Config) -> None:
    if not os.environ.get(FREEZE_ENV):
        gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    _freeze_heap(session.config)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    _freeze_heap(config)


# -- locating the code under check ------------------------------------------------------------
def _entry_for(request: pytest.FixtureRequest) -> Entry:
    path = Path(str(request.path))
    try:
        course = load_course(Path(str(request.config.rootpath)))
    except ManifestError as exc:
        pytest.fail(str(exc), pytrace=False)
    entry = course.entry_for_check_file(path)
    if entry is None:
        pytest.fail(
            f"{path.name} is not a checks file of any exercise in course.toml "
            "(expected checks/<chapter>/test_<exercise>.py).",
            pytrace=False,
        )
    return entry


@pytest.fixture
def fastlings_target(request: pytest.FixtureRequest) -> Target:
    """'exercise' or 'solution': which copy of the code the checks run against."""
    return request.config.stash[target_key]


@pytest.fixture
def exercise_entry(request: pytest.FixtureRequest) -> Entry:
    """The manifest entry of the exercise whose checks file is running."""
    return _entry_for(request)


@pytest.fixture
def lesson(exercise_entry: Entry) -> str:
    """Where the lesson explains this exercise, e.g. 'lessons/ch01_x.md § Routers'."""
    return exercise_entry.lesson_ref


@pytest.fixture
def teach(lesson: str) -> Callable[[str, str], str]:
    """Build a failure message: what was observed, what the pattern expects, where to read."""

    def message(observed: str, expected: str) -> str:
        return f"{observed}\nExpected: {expected}  (see {lesson})"

    return message


@pytest.fixture
def module(
    request: pytest.FixtureRequest,
    exercise_entry: Entry,
    fastlings_target: Target,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ModuleType]:
    """The target's module for this checks file, imported fresh for every check.

    `DATABASE_URL` points at the check's own fresh database while it is imported, so a
    module-level engine built from the environment uses the same database as the check.
    """
    path = exercise_entry.source_path(fastlings_target)
    request.node.stash[learner_file_key] = path
    monkeypatch.setenv("DATABASE_URL", db_url)
    failure: LearnerCodeError | None = None
    try:
        loaded = import_fresh(exercise_entry.module_name(fastlings_target), path)
    except LearnerCodeError as exc:
        failure = exc
    if failure is not None:
        request.node.stash[kind_key] = "import"
        reported = request.config.stash.setdefault(reported_key, set())
        first_line = str(failure).splitlines()[0]
        if first_line in reported:  # said in full once per run; afterwards one line
            pytest.fail(f"{first_line} (see above)", pytrace=False)
        reported.add(first_line)
        pytest.fail(str(failure), pytrace=False)
    yield loaded


@pytest.fixture
async def _dispose_module_engines(module: ModuleType) -> AsyncIterator[None]:
    yield
    from sqlalchemy.ext.asyncio import AsyncEngine

    for value in list(vars(module).values()):
        if isinstance(value, AsyncEngine):
            await value.dispose()


# -- databases ------------------------------------------------------------------------------
@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL to a database that exists only for this check."""
    with databases.fresh_database(_db_url_option(request.config)) as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """The check's own async engine on the fresh database."""
    from sqlalchemy.ext.asyncio import create_async_engine

    eng = create_async_engine(db_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the check's engine (`expire_on_commit=False`)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(engine, expire_on_commit=False)


# -- HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def make_client(_dispose_module_engines: None) -> ClientFactory:
    """`async with make_client(app) as client:` runs the app's lifespan and gives an
    `httpx.AsyncClient` over `ASGITransport`. Unhandled app exceptions become 500 responses,
    and `app.dependency_overrides` is cleared afterwards."""

    @asynccontextmanager
    async def factory(app: FastAPI) -> AsyncIterator[AsyncClient]:
        from httpx import ASGITransport, AsyncClient

        transport = ASGITransport(app=app, raise_app_exceptions=False)
        try:
            async with (
                app.router.lifespan_context(app),
                AsyncClient(transport=transport, base_url="http://test") as client,
            ):
                yield client
        finally:
            app.dependency_overrides.clear()

    return factory


# -- the learner's app wired to the check's database ---------------------------------------
@pytest.fixture
def wire(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    lesson: str,
) -> WireFactory:
    """`async with wire() as wired:` the learner's app with the check's database behind it.

    By default: the tables of `module.Base.metadata` are created on the check's fresh database,
    `module.get_db` is overridden to hand out the check's own sessions (recorded in
    `wired.sessions`), and a client runs the app with its lifespan. Every part can be changed:
    `app=`, `metadata=` (or `schema=False`), `dependency=` (or `override=False`).
    """

    @asynccontextmanager
    async def factory(
        *,
        app: FastAPI | None = None,
        metadata: Any = None,
        schema: bool = True,
        dependency: Callable[..., Any] | None = None,
        override: bool = True,
    ) -> AsyncIterator[WiredApp]:
        the_app = (
            app
            if app is not None
            else require(module, "app", "the FastAPI application as a top-level `app`", lesson)
        )
        if schema:
            if metadata is None:
                base = require(module, "Base", "the declarative base class `Base`", lesson)
                metadata = base.metadata
            await create_schema(engine, metadata)
        handed_out: list[AsyncSession] = []
        if override:
            if dependency is None:
                dependency = require(
                    module, "get_db", "a `get_db` dependency that yields a session", lesson
                )
            handed_out = override_sessions(the_app, dependency, sessionmaker)
        async with make_client(the_app) as client:
            yield WiredApp(module, the_app, client, engine, sessionmaker, handed_out)

    return factory


@pytest.fixture
async def wired(wire: WireFactory) -> AsyncIterator[WiredApp]:
    """The learner's app with the default wiring of `wire` (schema, `get_db`, client)."""
    async with wire() as wired_app:
        yield wired_app


@pytest.fixture
def sql(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Every SQL statement run on the check's engine during the check (`len(sql)`)."""
    with StatementLog(engine) as log:
        yield log


# -- timeouts (pytest-timeout decides when; we say where) -----------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None
    seconds = float(settings.timeout)

    def last_resort() -> None:  # the hang is in a thread we cannot interrupt
        sys.stderr.write(
            f"\n{item.nodeid}: still running {seconds + 5:.0f}s after its timeout; stopping "
            "the run. The code under check loops forever or blocks in a worker thread.\n"
        )
        sys.stderr.flush()
        os._exit(1)

    backstop = threading.Timer(seconds + 5, last_resort)
    backstop.daemon = True

    def handler(signum: int, frame: FrameType | None) -> None:
        item.stash[kind_key] = "timeout"
        backstop.start()
        pytest.fail(_timeout_message(item, seconds, frame), pytrace=False)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        backstop.cancel()

    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return True


def _timeout_message(item: pytest.Item, seconds: float, frame: FrameType | None) -> str:
    learner = item.stash.get(learner_file_key, None)
    where = None
    frames: list[FrameType] = []
    if frame is not None:
        frames.append(frame)
    frames.extend(f for t, f in sys._current_frames().items() if t != threading.get_ident())
    for top in frames:
        current: FrameType | None = top
        while current is not None:
            if learner is not None and Path(current.f_code.co_filename) == learner:
                where = f"{_rel(learner)}:{current.f_lineno} (in {current.f_code.co_name})"
                break
            current = current.f_back
        if where:
            break
    hint = f"It was running {where}." if where else "It never returned control to the check."
    return (
        f"Timed out after {seconds:g}s. {hint}\n"
        "Look there for an infinite loop, or a blocking call that never finishes."
    )


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- results for the CLI, verify and grading --------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.excinfo is not None and call.when in ("setup", "call"):
        kind = item.stash.get(kind_key, None)
        if kind is None:
            kind = "assertion" if call.excinfo.errisinstance(AssertionError) else "error"
        message = _short_message(call.excinfo.value, kind)
        item.stash[kind_key] = kind
        report.user_properties.append(("fastlings", {"kind": kind, "message": message}))
    return report


def _short_message(exc: BaseException, kind: str) -> str:
    text = str(exc)
    if kind == "assertion":
        # pytest appends its introspection ("assert 200 == 201") after the message
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("assert ") and index > 0:
                text = "\n".join(lines[:index])
                break
    elif kind == "error":
        text = f"{type(exc).__name__}: {text}"
    return text.strip()


class ResultCollector:
    """Collects one record per check for `--fastlings-report` (CLI, verify and grading)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[dict[str, Any]] = []

    def _record(
        self,
        report: pytest.TestReport | pytest.CollectReport,
        outcome: str,
        phase: str,
        kind: str | None = None,
        message: str | None = None,
    ) -> None:
        details = dict(getattr(report, "user_properties", [])).get("fastlings")
        if isinstance(details, dict):
            kind = kind or details.get("kind")
            message = message or details.get("message")
        self.records.append(
            {
                "nodeid": report.nodeid,
                "file": report.fspath,
                "name": report.nodeid.split("::")[-1].split("[")[0]
                if "::" in report.nodeid
                else None,
                "outcome": outcome,
                "phase": phase,
                "kind": kind,
                "message": message,
                "duration": round(getattr(report, "duration", 0.0), 4),
            }
        )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self._record(report, outcome=report.outcome, phase="call")
        elif report.when == "setup" and report.skipped:
            self._record(report, outcome="skipped", phase="setup")
        elif report.failed:  # an error in setup or teardown
            teardown = report.when == "teardown"
            self._record(
                report,
                outcome="error",
                phase=report.when,
                kind="error" if teardown else None,
                message=str(report.longrepr)[-2000:] if teardown else None,
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._record(
                report,
                outcome="error",
                phase="collect",
                kind="collection",
                message=str(report.longrepr)[-2000:],
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        path = self.config.getoption("--fastlings-report") or os.environ.get(REPORT_ENV)
        if not path:
            return
        payload: dict[str, Any] = {
            "target": self.config.stash[target_key],
            "exitstatus": int(exitstatus),
            "results": self.records,
        }
        Path(path).write_text(json.dumps(payload, indent=1), encoding="utf-8")
