"""Checks for chapter 2, step 2: inclusive bounds on the name's length and the optional age."""

from checks.ch02_request_validation.conftest import (
    assert_boundaries_accepted,
    assert_rejected,
    signup,
    without,
)
from fastlings.testing import Teach, WiredApp

INVALID = [
    ("name", signup(name=""), "an empty name", "Field(min_length=1)"),
    ("name", signup(name="x" * 101), "a 101-character name", "Field(max_length=100)"),
    ("name", without("name"), "no name at all", "a required name field"),
    ("age", signup(age=-1), "age -1", "Field(None, ge=0)"),
    ("age", signup(age=151), "age 151", "Field(None, le=150)"),
]


async def test_out_of_range_values_get_422_naming_the_field(wired: WiredApp, teach: Teach) -> None:
    await assert_rejected(wired, teach, INVALID, naming="the field's name")


async def test_boundary_values_are_accepted(wired: WiredApp, teach: Teach) -> None:
    edges = [
        (signup(email="one@example.com", name="x"), "a 1-character name"),
        (signup(email="hundred@example.com", name="y" * 100), "a 100-character name"),
        (signup(email="slash@example.com", name="O\\Brien"), "a name with a backslash"),
        (signup(email="zero@example.com", age=0), "age 0"),
        (signup(email="old@example.com", age=150), "age 150"),
        (signup(email="null@example.com", age=None), "age null"),
        (signup(email="ageless@example.com"), "no age at all"),
    ]
    await assert_boundaries_accepted(
        wired,
        teach,
        edges,
        "the bounds are inclusive (1 and 100 characters, ages 0 and 150), and age is optional: "
        "left out or null means no age",
    )
