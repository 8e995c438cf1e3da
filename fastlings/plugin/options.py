"""Options (`--target`, `--db-server`, `--fastlings-report`), the header, and start-up cost."""

from __future__ import annotations

import gc
import os
from typing import cast

import pytest

from fastlings.course.manifest import TARGET_DIRS, TARGETS, Target
from fastlings.plugin import databases
from fastlings.plugin.keys import DB_SERVER_ENV, REPORT_ENV, TARGET_ENV, target_key


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fastlings", "Fastlings course checks")
    group.addoption(
        "--target",
        choices=TARGETS,
        default=None,
        help=f"check the learner's exercises (default) or the solutions; env {TARGET_ENV}",
    )
    group.addoption(
        "--db-server",
        "--db-url",
        dest="db_server",
        default=None,
        help="database server URL to create each check's own database on (default: a fresh "
        f"SQLite per check); env {DB_SERVER_ENV}",
    )
    group.addoption(
        "--fastlings-report",
        default=None,
        metavar="PATH",
        help=f"write each check's outcome as JSON to PATH (used by the CLI); env {REPORT_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    _freeze_heap()
    raw = config.getoption("--target") or os.environ.get(TARGET_ENV) or "exercise"
    if raw not in TARGETS:
        raise pytest.UsageError(f"{TARGET_ENV}={raw!r}: choose one of {', '.join(TARGETS)}")
    config.stash[target_key] = cast(Target, raw)


def pytest_report_header(config: pytest.Config) -> list[str]:
    target = config.stash[target_key]
    database = databases.describe(db_server(config))
    return [f"fastlings: target={target} ({TARGET_DIRS[target]}/), database={database}"]


def db_server(config: pytest.Config) -> str | None:
    """The database server the checks create their databases on, if one was given."""
    value = config.getoption("db_server") or os.environ.get(DB_SERVER_ENV)
    return str(value) if value else None


@pytest.fixture
def fastlings_db_server(request: pytest.FixtureRequest) -> str | None:
    """The database server URL given with `--db-server` (None: SQLite per check)."""
    return db_server(request.config)


# Libraries imported once (pytest, FastAPI, SQLAlchemy, ...) live for the whole run. Moving them
# to the garbage collector's permanent generation keeps later collections, and the final one at
# interpreter exit, from scanning them again: about 0.1 s of a 0.8 s one-exercise run.
FREEZE_ENV = "FASTLINGS_NO_GC_FREEZE"


def _freeze_heap() -> None:
    if not os.environ.get(FREEZE_ENV):
        gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    _freeze_heap()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    _freeze_heap()
