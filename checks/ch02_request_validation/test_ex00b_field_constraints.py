"""Checks for chapter 2, step 2: inclusive bounds on the name's length and the optional age."""

from typing import Any

from checks.ch02_request_validation.conftest import outcome, rejections, rows, signup, without
from fastlings.testing import Teach, WiredApp

INVALID = [
    ("name", signup(name=""), "an empty name", "Field(min_length=1)"),
    ("name", signup(name="x" * 101), "a 101-character name", "Field(max_length=100)"),
    ("name", without("name"), "no name at all", "a required name field"),
    ("age", signup(age=-1), "age -1", "Field(None, ge=0)"),
    ("age", signup(age=151), "age 151", "Field(None, le=150)"),
]


async def test_out_of_range_values_get_422_naming_the_field(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    problems, patterns = await rejections(wired, path, INVALID)
    assert not problems, teach(
        f"POST {path}: " + "; ".join(problems) + ".",
        "422 with an error whose loc ends with the field's name, from a request model "
        f"using {', '.join(dict.fromkeys(patterns))}",
    )
    stored = await rows(wired.engine)
    assert not stored, teach(
        f"Every body was rejected, yet the database holds {stored}.",
        "an invalid body never reaches the endpoint, so nothing is written",
    )


async def test_boundary_values_are_accepted(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    edges: list[tuple[str, dict[str, Any]]] = [
        ("a 1-character name", signup(email="one@example.com", name="x")),
        ("a 100-character name", signup(email="hundred@example.com", name="y" * 100)),
        ("a name with a backslash", signup(email="slash@example.com", name="O\\Brien")),
        ("age 0", signup(email="zero@example.com", age=0)),
        ("age 150", signup(email="old@example.com", age=150)),
        ("age null", signup(email="null@example.com", age=None)),
        ("no age at all", signup(email="ageless@example.com")),
    ]
    refused = []
    for what, body in edges:
        response = await wired.client.post(path, json=body)
        if response.status_code != 201:
            refused.append(f"{what} got {outcome(response)}")
    assert not refused, teach(
        f"POST {path} refused valid sign-ups: " + "; ".join(refused) + ".",
        "the bounds are inclusive (1 and 100 characters, ages 0 and 150), and age is optional: "
        "left out or null means no age",
    )
    stored = {
        email: (name, age)
        for _, email, name, age in await rows(wired.engine, "id, email, name, age")
    }
    expected = {body["email"]: (body["name"], body.get("age")) for _, body in edges}
    assert stored == expected, teach(
        f"After {len(edges)} valid sign-ups the database holds {stored}.",
        f"each sign-up stored as sent, {expected}",
    )
