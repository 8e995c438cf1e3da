"""Checks for chapter 9, step 2: tests on their own database, through dependency_overrides."""

import pytest

from checks.ch09_testing_your_api._grading import (
    RUN_TIMEOUT,
    Run,
    assert_caught,
    assert_pass_on_correct_app,
)
from fastlings.testing import Teach

pytestmark = pytest.mark.timeout(RUN_TIMEOUT + 30)

MUTANTS = ("ignores_override",)


def test_your_tests_pass_on_the_correct_app(run: Run, teach: Teach) -> None:
    assert_pass_on_correct_app(
        run,
        teach,
        "every test passes on the correct app: the app's get_db overridden, inside "
        "the client fixture, by one that yields sessions on your test database",
    )


def test_your_tests_catch_ignored_db_override(run: Run, teach: Teach) -> None:
    assert_caught(run, "ignores_override", teach)
