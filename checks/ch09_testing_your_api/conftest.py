"""Fixtures shared by the chapter 9 checks: the learner's tests, run against the mutants.

Each checks file names the bugs it plants in a module constant, `MUTANTS`; the runs are
made once per file, and every check reads them through the `run` fixture.
"""

import pytest

from checks.ch09_testing_your_api._grading import Run, Runs
from fastlings.course.manifest import Entry, Target


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> Runs:
    """The learner's tests, run (lazily, once per checks file) against the correct app and
    against each mutant the checks file lists in `MUTANTS`."""
    mutants: tuple[str, ...] = request.module.MUTANTS
    return Runs(mutants)


@pytest.fixture
def run(
    runs: Runs, exercise_entry: Entry, fastlings_target: Target, fastlings_db_server: str | None
) -> Run:
    return runs.get(exercise_entry, fastlings_target, fastlings_db_server)
