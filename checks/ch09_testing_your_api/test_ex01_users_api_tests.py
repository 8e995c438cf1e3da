"""Checks for chapter 9, exercise 1: tests that pass on the users app and catch its bugs.

Your test file is run (once, by `mutants.py`, inside this pytest process) against the correct
users app and against four copies of it with one bug planted in each. One check per bug: it passes
when at least one of your tests that passes on the correct app fails on the broken copy.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checks.ch09_testing_your_api.mutants import MUTANTS, run_all
from fastlings.course.manifest import load_course
from fastlings.testing import run_db_server, run_target

Teach = Callable[[str, str], str]
Run = dict[str, dict[str, Any]]
RUN_TIMEOUT = 120.0  # seconds for all five runs together

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

pytestmark = pytest.mark.timeout(RUN_TIMEOUT + 30)


@pytest.fixture(scope="module")
def run(request: pytest.FixtureRequest) -> Run:
    """Run the learner's (or the solution's) test file against every app, once per module."""
    config = request.config
    root = Path(str(config.rootpath))
    entry = load_course(root).entry_for_check_file(Path(str(request.path)))
    assert entry is not None, f"{request.path} is not a checks file in course.toml"
    test_file = entry.source_path("solution" if run_target(config) == "solution" else "exercise")
    base_url = run_db_server(config)
    try:
        return run_all(test_file, str(base_url) if base_url else None)
    except RuntimeError as exc:  # the course's own users app is broken: not the learner's fault
        pytest.fail(f"The chapter 9 test runner failed: {exc}", pytrace=False)


def passing(record: dict[str, Any]) -> set[str]:
    return {name for name, test in record["tests"].items() if test["outcome"] == "passed"}


def test_your_tests_pass_on_the_correct_app(run: Run, teach: Teach) -> None:
    correct = run["correct"]
    assert not correct["collect_errors"], teach(
        f"pytest could not import your test file: {correct['collect_errors'][0]}",
        "a test module that imports cleanly (the client is "
        '`AsyncClient(transport=ASGITransport(app=app), base_url="http://test")`)',
    )
    tests = correct["tests"]
    assert tests, teach(
        "pytest found no tests in your file.",
        "test functions named test_..., async ones marked (`pytestmark = pytest.mark.asyncio`)",
    )
    bad = {name: t for name, t in tests.items() if t["outcome"] != "passed"}
    listing = "; ".join(f"{n} {t['outcome']}: {t['message']}" for n, t in list(bad.items())[:3])
    assert not bad, teach(
        f"On the correct app, {len(bad)} of your {len(tests)} tests did not pass: {listing}",
        "every test passes on the correct app: a client over ASGITransport, an override of "
        "get_db that yields a session on your test database, async tests and fixtures marked "
        "for pytest-asyncio (`pytestmark = pytest.mark.asyncio`, `@pytest_asyncio.fixture`)",
    )
    leftover = correct["leftover_overrides"]
    assert not leftover, teach(
        f"After your tests ran, app.dependency_overrides still held overrides for {leftover}: "
        "every later test (and test file) would silently use them.",
        "remove the override in the fixture's teardown: `app.dependency_overrides.clear()` "
        "after the `yield`",
    )


def assert_caught(run: Run, mutant: str, teach: Teach) -> None:
    bug = MUTANTS[mutant].bug
    green = passing(run["correct"])
    assert green, teach(
        f"None of your tests passes on the correct app, so none can notice when {bug}.",
        "first make your tests pass on the correct app (see "
        "test_your_tests_pass_on_the_correct_app), then add "
        f"{CATCH_WITH[mutant]}",
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


def test_your_tests_catch_status_200(run: Run, teach: Teach) -> None:
    assert_caught(run, "status_200", teach)


def test_your_tests_catch_leaked_password_hash(run: Run, teach: Teach) -> None:
    assert_caught(run, "leaks_hash", teach)


def test_your_tests_catch_missing_email_validation(run: Run, teach: Teach) -> None:
    assert_caught(run, "no_email_validation", teach)


def test_your_tests_catch_ignored_db_override(run: Run, teach: Teach) -> None:
    assert_caught(run, "ignores_override", teach)
