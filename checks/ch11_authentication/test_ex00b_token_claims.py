"""Checks for chapter 11, step 2: the login's JWT has a string `sub` and a near `exp`."""

import time

import jwt

from checks.ch11_authentication._auth import ALGORITHM, CHECK_KEY, sign_up
from checks.ch11_authentication._token import login_token, signed_claims
from checks.ch11_authentication.conftest import assert_string_sub, exp_said
from fastlings.testing import Teach, WiredApp

MAX_LIFETIME = 24 * 3600  # seconds: access tokens are short-lived


async def test_login_returns_a_signed_bearer_token(auth: WiredApp, teach: Teach) -> None:
    await sign_up(auth, "ada", teach)
    signed_claims(await login_token(auth, "ada", teach), teach)


async def test_sub_is_a_string(auth: WiredApp, teach: Teach) -> None:
    user = await sign_up(auth, "ada", teach)
    claims = signed_claims(await login_token(auth, "ada", teach), teach)
    assert_string_sub(
        claims,
        user,
        teach,
        "RFC 7519 makes `sub` a string, and PyJWT 2.10+ refuses anything else when it decodes",
    )


async def test_token_expires_soon(auth: WiredApp, teach: Teach) -> None:
    await sign_up(auth, "ada", teach)
    token = await login_token(auth, "ada", teach)
    exp = signed_claims(token, teach).get("exp")
    now = time.time()
    assert isinstance(exp, int | float) and now < exp <= now + MAX_LIFETIME, teach(
        f"The token's `exp` claim is {exp!r}{exp_said(exp, now)}",
        "an `exp` a few minutes ahead (at most a day), from settings.access_token_minutes",
    )
    try:  # what every verifier does with it: PyJWT checks `exp` against its own clock
        jwt.decode(token, CHECK_KEY, algorithms=[ALGORITHM], options={"verify_sub": False})
    except jwt.PyJWTError as exc:
        raise AssertionError(
            teach(
                f"PyJWT refuses the token's `exp`: {exc}.",
                "a timezone-aware datetime (datetime.now(UTC) + ...) or a Unix timestamp",
            )
        ) from None
