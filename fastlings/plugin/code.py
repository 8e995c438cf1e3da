"""The exercise under check: its manifest entry, its lesson, and its module imported fresh."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from fastlings.course.loader import LearnerCodeError, import_fresh
from fastlings.course.manifest import Entry, ManifestError, Target, load_course
from fastlings.plugin.keys import kind_key, learner_file_key, reported_key, target_key
from fastlings.testing import Teach


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
def teach(lesson: str) -> Teach:
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
    """Dispose of the engines the learner's module built, so no connection outlives a check."""
    yield
    if "sqlalchemy.ext.asyncio" not in sys.modules:
        return  # no async engine can exist: importing SQLAlchemy here would cost ~0.2 s
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastlings.plugin.databases import dispose

    await dispose(v for v in list(vars(module).values()) if isinstance(v, AsyncEngine))
