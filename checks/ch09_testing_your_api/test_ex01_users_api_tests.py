"""Checks for chapter 9, exercise 1: tests that pass on the users app and catch its bugs.

Your tests are run (once, by `mutants.py`, inside this pytest process) against the correct
users app and against four copies of it with one bug planted in each. One check per bug: it
passes when at least one of your tests that passes on the correct app fails on the broken copy.
"""

import pytest

from checks.ch09_testing_your_api._grading import (
    RUN_TIMEOUT,
    Run,
    assert_caught,
    assert_pass_on_correct_app,
)
from fastlings.testing import Teach

pytestmark = pytest.mark.timeout(RUN_TIMEOUT + 30)

MUTANTS = ("status_200", "leaks_hash", "no_email_validation", "ignores_override")


def test_your_tests_pass_on_the_correct_app(run: Run, teach: Teach) -> None:
    assert_pass_on_correct_app(
        run,
        teach,
        "every test passes on the correct app: a client over ASGITransport, an override of "
        "get_db that yields a session on your test database, async tests and fixtures marked "
        "for a plugin (`pytest.mark.anyio`, or `pytest.mark.asyncio` with "
        "`@pytest_asyncio.fixture`)",
    )


def test_your_tests_catch_status_200(run: Run, teach: Teach) -> None:
    assert_caught(run, "status_200", teach)


def test_your_tests_catch_leaked_password_hash(run: Run, teach: Teach) -> None:
    assert_caught(run, "leaks_hash", teach)


def test_your_tests_catch_missing_email_validation(run: Run, teach: Teach) -> None:
    assert_caught(run, "no_email_validation", teach)


def test_your_tests_catch_ignored_db_override(run: Run, teach: Teach) -> None:
    assert_caught(run, "ignores_override", teach)
