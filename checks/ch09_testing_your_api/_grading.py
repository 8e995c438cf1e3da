"""The chapter 9 checks, shared by its three checks files: run the learner's tests against the
users app and some of its mutants (once per checks file and run), then judge.

Each checks file declares which bugs it plants; one check per bug passes when at least one of
the learner's tests that passes on the correct app fails on the broken copy.
"""

from typing import Any

import pytest

from checks.ch09_testing_your_api._session import passing
from checks.ch09_testing_your_api.mutants import MUTANTS, LearnerFileError, run_all
from fastlings.course.manifest import Entry, Target
from fastlings.testing import Teach

Run = dict[str, dict[str, Any]]
RUN_TIMEOUT = 120.0  # seconds for all the runs of one checks file together

# What a test needs to assert to catch each bug.
CATCH_WITH = {
    "status_200": "a test that signs a user up and asserts `response.status_code == 201`",
    "leaks_hash": "a test that asserts the body holds exactly the public fields "
    "(`set(response.json()) == {'id', 'email', 'name'}`) and no password or hash",
    "no_email_validation": "a test that posts an invalid email ('not-an-email') and asserts 422",
    "ignores_override": "a test that reads the new user back through a session on YOUR test "
    "database after POST /users (`await session.get(User, user_id)`): the row is only there "
    "when the app really used the overridden get_db",
}


class Runs:
    """The runs of one checks file, made on first use (a fresh cache per pytest run)."""

    def __init__(self, mutants: tuple[str, ...]) -> None:
        self.mutants = mutants
        self.found: Run | None = None

    def get(self, entry: Entry, target: Target, db_server: str | None) -> Run:
        if self.found is None:
            test_file = entry.source_path(target)
            try:
                self.found = run_all(test_file, db_server, self.mutants)
            except LearnerFileError as exc:
                pytest.fail(f"{exc}.", pytrace=False)
            except RuntimeError as exc:  # the course's own users app is broken
                pytest.fail(f"The chapter 9 test runner failed: {exc}", pytrace=False)
        return self.found


def assert_pass_on_correct_app(run: Run, teach: Teach, expected: str) -> None:
    correct = run["correct"]
    assert not correct["collect_errors"], teach(
        f"pytest could not import your test module: {correct['collect_errors'][0]}",
        "a test module that imports cleanly (the client is "
        '`AsyncClient(transport=ASGITransport(app=app), base_url="http://test")`)',
    )
    tests = correct["tests"]
    assert tests, teach(
        "pytest found no tests in your file.",
        "test functions named test_..., and async ones marked for a plugin "
        "(`pytestmark = pytest.mark.anyio` or `pytest.mark.asyncio`)",
    )
    bad = {name: t for name, t in tests.items() if t["outcome"] != "passed"}
    listing = "".join(_not_passed(n, t) for n, t in list(bad.items())[:3])
    assert not bad, teach(
        f"On the correct app, {len(bad)} of your {len(tests)} tests did not pass:{listing}",
        expected,
    )
    leftover = correct["leftover_overrides"]
    assert not leftover, teach(
        f"After your tests ran, app.dependency_overrides still held overrides for {leftover}: "
        "every later test (and test file) would silently use them.",
        "remove the override in the fixture's teardown: `app.dependency_overrides.clear()` "
        "after the `yield`",
    )


def _not_passed(name: str, test: dict[str, str]) -> str:
    """One test that did not pass on the correct app: its outcome and reason, the line of the
    learner's file it failed at, and each answer of 300 or more it received from the app."""
    line = f" at {test['line']}" if test.get("line") else ""
    said = f"\n- {name} {test['outcome']}{line}: {test['message']}"
    for answer in filter(None, test.get("received", "").split("\n")):
        said += f"\n    it received: {answer}"
    return said


def assert_caught(run: Run, mutant: str, teach: Teach) -> None:
    bug = MUTANTS[mutant].bug
    green = passing(run["correct"]["tests"])
    assert green, teach(
        f"None of your tests passes on the correct app, so none can notice when {bug}.",
        "first make your tests pass on the correct app (see "
        f"test_your_tests_pass_on_the_correct_app), then add {CATCH_WITH[mutant]}",
    )
    broken = run[mutant]["tests"]
    caught = sorted(
        name for name in green if broken.get(name, {}).get("outcome") in ("failed", "error")
    )
    assert caught, teach(
        f"The bug slipped through: when {bug}, every one of your tests that pass on the correct "
        f"app ({len(green)}) still passed.",
        CATCH_WITH[mutant],
    )
