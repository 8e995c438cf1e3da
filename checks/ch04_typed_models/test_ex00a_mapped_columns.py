"""Checks for chapter 4, step 1: typed attributes whose annotations decide NULL and NOT NULL.

The checks themselves are in conftest.py, shared with the other steps and the exercise."""

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    STEP,
    create_still_works_check,
    nullability_check,
    typed_check,
)

test_nullability_follows_the_annotations = nullability_check(STEP)
test_attributes_are_typed = typed_check(STEP, {"id": int, "email": str, "name": str})
test_create_user_still_works = create_still_works_check({**ADA, **BIO})
