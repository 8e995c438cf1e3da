"""Checks for chapter 9, step 1: a test that runs, and notices a 200 instead of a 201."""

import pytest

from checks.ch09_testing_your_api._grading import (
    RUN_TIMEOUT,
    Run,
    assert_caught,
    assert_pass_on_correct_app,
)
from fastlings.testing import Teach

pytestmark = pytest.mark.timeout(RUN_TIMEOUT + 30)

MUTANTS = ("status_200",)


def test_your_tests_pass_on_the_correct_app(run: Run, teach: Teach) -> None:
    assert_pass_on_correct_app(
        run,
        teach,
        "every test passes on the correct app: a client over ASGITransport (httpx 0.28 "
        "has no `app=` argument), with the app's lifespan entered so that its tables exist",
    )


def test_your_tests_catch_status_200(run: Run, teach: Teach) -> None:
    assert_caught(run, "status_200", teach)
