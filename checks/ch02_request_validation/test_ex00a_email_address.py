"""Checks for chapter 2, step 1: an email field that accepts only email addresses."""

from checks.ch02_request_validation.conftest import outcome, rejections, rows, signup, without
from fastlings.testing import Teach, WiredApp

INVALID = [
    ("email", signup(email="not-an-email"), "email 'not-an-email'", "EmailStr"),
    ("email", signup(email="ada@"), "email 'ada@'", "EmailStr"),
    ("email", signup(email="@example.com"), "email '@example.com'", "EmailStr"),
    ("email", signup(email="ada lovelace@example.com"), "an email with a space", "EmailStr"),
    ("email", without("email"), "no email at all", "a required email field"),
]


async def test_invalid_emails_get_422_naming_the_email(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    problems, patterns = await rejections(wired, path, INVALID)
    assert not problems, teach(
        f"POST {path}: " + "; ".join(problems) + ".",
        "422 with an error whose loc ends with 'email', from a request model using "
        + ", ".join(dict.fromkeys(patterns)),
    )
    stored = await rows(wired.engine)
    assert not stored, teach(
        f"Every sign-up had a bad email, yet the database holds {stored}.",
        "an invalid body never reaches the endpoint, so nothing is written",
    )


async def test_valid_emails_are_stored(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    valid = ["ada@example.com", "grace.hopper+navy@example.org", "lin@mail.example.co.uk"]
    refused = []
    for email in valid:
        response = await wired.client.post(path, json=signup(email=email))
        if response.status_code != 201:
            refused.append(f"{email} got {outcome(response)}")
    assert not refused, teach(
        f"POST {path} refused valid addresses: " + "; ".join(refused) + ".",
        "every syntactically valid address accepted (plus-addressing and sub-domains included)",
    )
    stored = sorted(email for _, email, _ in await rows(wired.engine))
    assert stored == sorted(valid), teach(
        f"After three valid sign-ups the database holds the emails {stored}.",
        f"each address stored as sent, {sorted(valid)}",
    )
