"""Checks for chapter 2, step 1: an email field that accepts only email addresses."""

from checks.ch02_request_validation.conftest import (
    assert_rejected,
    refused,
    rows,
    signup,
    without,
)
from fastlings.testing import Teach, WiredApp

INVALID = [
    ("email", signup(email="not-an-email"), "email 'not-an-email'", "EmailStr"),
    ("email", signup(email="ada@"), "email 'ada@'", "EmailStr"),
    ("email", signup(email="@example.com"), "email '@example.com'", "EmailStr"),
    ("email", signup(email="ada lovelace@example.com"), "an email with a space", "EmailStr"),
    ("email", without("email"), "no email at all", "a required email field"),
]


async def test_invalid_emails_get_422_naming_the_email(wired: WiredApp, teach: Teach) -> None:
    await assert_rejected(
        wired, teach, INVALID, naming="'email'", every="Every sign-up had a bad email"
    )


async def test_valid_emails_are_stored(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    valid = ["ada@example.com", "grace.hopper+navy@example.org", "lin@mail.example.co.uk"]
    wrong = await refused(wired, path, [(signup(email=email), email) for email in valid])
    assert not wrong, teach(
        f"POST {path} refused valid addresses: " + "; ".join(wrong) + ".",
        "every syntactically valid address accepted (plus-addressing and sub-domains included)",
    )
    stored = sorted(email for _, email, _ in await rows(wired.engine))
    assert stored == sorted(valid), teach(
        f"After three valid sign-ups the database holds the emails {stored}.",
        f"each address stored as sent, {sorted(valid)}",
    )
