"""Chapter 11's checks run the learner's app through the plugin's `wired` fixture (schema on the
check's database, `get_db` overridden, lifespan run) with settings that hold a key the checks
know."""

from typing import Any

import pytest

from checks.ch11_authentication._auth import use_check_key
from fastlings.testing import Teach, WiredApp


@pytest.fixture
def auth(wired: WiredApp, teach: Teach) -> WiredApp:
    """The learner's app, wired, reading settings whose `secret_key` is `CHECK_KEY`."""
    use_check_key(wired, teach)
    return wired


def assert_string_sub(claims: dict[str, Any], user: dict[str, Any], teach: Teach, why: str) -> None:
    """The token's `sub` claim is a string: the user's id as text, or the username "ada"; `why`
    ends the expectation (the rule that makes it a string)."""
    sub = claims.get("sub")
    assert isinstance(sub, str) and sub in (str(user.get("id")), "ada"), teach(
        f"The token's `sub` claim is {sub!r} ({type(sub).__name__}).",
        f"the user's id as a string ({str(user.get('id'))!r}) or the username: {why}",
    )


def exp_said(exp: Any, now: float) -> str:
    """What is wrong with an `exp` claim's value, after the value itself."""
    if isinstance(exp, int | float):
        hours = f", {(exp - now) / 3600:+.1f} h" if abs(exp - now) >= 3600 else ""
        return f" ({exp - now:+.0f} s from now{hours})."
    if isinstance(exp, str):
        return (
            " (text): `exp` is a NumericDate, a number of seconds since 1970, which jwt.encode "
            "makes from a timezone-aware datetime."
        )
    return "."
