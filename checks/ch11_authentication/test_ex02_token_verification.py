"""Checks for chapter 11, exercise 2: every bad token gets 401 with `WWW-Authenticate: Bearer`."""

import base64
import json
import time
import warnings
from typing import Any

import jwt
from httpx import Response

from checks.ch11_authentication._auth import (
    ALGORITHM,
    CHECK_KEY,
    OTHER_KEY,
    PASSWORD,
    log_in,
    login_failed,
    sign_up,
)
from checks.ch11_authentication._token import pyjwt_refusals
from fastlings.testing import Teach, WiredApp

ME = "/users/me"  # or /users/me/, as FastAPI's tutorial writes it: whichever the app declares


async def logged_in(wired: WiredApp, teach: Teach) -> tuple[str, str]:
    """Sign up and log in as ada: her token, and the `sub` the app puts in its tokens."""
    await sign_up(wired, "ada", teach)
    response = await log_in(wired, "ada", PASSWORD)
    assert response.status_code == 200, login_failed(response, teach)
    token = str(response.json().get("access_token"))
    try:
        claims = jwt.decode(token, CHECK_KEY, algorithms=[ALGORITHM], options={"verify_exp": False})
    except jwt.PyJWTError as exc:
        raise AssertionError(
            teach(
                f"The login's token does not decode with the key from the settings: {exc}.",
                "the login signs with settings.secret_key (from Depends(get_settings)) and a "
                "string `sub`, as in exercise 1",
            )
        ) from None
    return token, str(claims["sub"])


def sign(claims: dict[str, Any], key: str = CHECK_KEY) -> str:
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def hs512(claims: dict[str, Any]) -> str:
    with warnings.catch_warnings():  # the check's key is short for HS512; that is not the point
        warnings.simplefilter("ignore")
        return jwt.encode(claims, CHECK_KEY, algorithm="HS512")


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def bad_tokens(token: str, sub: str) -> dict[str, str | None]:
    """The attacks, by name. None means: no Authorization header at all."""
    soon = int(time.time()) + 600
    header, _, signature = token.split(".")
    original = jwt.decode(token, options={"verify_signature": False})
    return {
        "no token": None,
        "a token that is not a JWT": "not-a-jwt",
        "an expired token (exp an hour ago)": sign({"sub": sub, "exp": int(time.time()) - 3600}),
        "a tampered token (payload changed, signature kept)": ".".join(
            (header, b64({**original, "sub": sub, "role": "admin"}), signature)
        ),
        'an unsigned token (alg "none")': jwt.encode(
            {"sub": sub, "exp": soon}, None, algorithm="none"
        ),
        "a token signed with another key": sign({"sub": sub, "exp": soon}, OTHER_KEY),
        "a token signed with the key but another algorithm (HS512)": hs512(
            {"sub": sub, "exp": soon}
        ),
        "a correctly signed token without `exp` (it would never expire)": sign({"sub": sub}),
        "a correctly signed token without `sub`": sign({"exp": soon}),
        "a valid token for a user that does not exist": sign({"sub": "999999", "exp": soon}),
    }


async def get_me(wired: WiredApp, token: str | None) -> Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await wired.client.get(wired.path("get", ME), headers=headers)


async def test_valid_token_reads_current_user(auth: WiredApp, teach: Teach) -> None:
    token, sub = await logged_in(auth, teach)
    for label, bearer in (
        ("the login's token", token),
        ("a token the check signed with the settings' key", sign({"sub": sub, "exp": 2**31})),
    ):
        with pyjwt_refusals() as refused:
            response = await get_me(auth, bearer)
        body = response.json() if response.status_code == 200 else None
        said = f"\nInside the app, jwt.decode raised {refused[-1]}" if refused else ""
        assert isinstance(body, dict) and body.get("username") == "ada", teach(
            f"GET {auth.path('get', ME)} with {label} answered {response.status_code}: "
            f"{response.text[:200]}{said}",
            "200 and ada's public fields: get_current_user decodes with settings.secret_key "
            "(from Depends(get_settings)) and loads the user named by `sub`",
        )


async def test_bad_tokens_get_401_with_bearer_challenge(auth: WiredApp, teach: Teach) -> None:
    token, sub = await logged_in(auth, teach)
    wrong: list[str] = []
    for label, bearer in bad_tokens(token, sub).items():
        response = await get_me(auth, bearer)
        challenge = response.headers.get("www-authenticate", "")
        if response.status_code != 401 or not challenge.lower().startswith("bearer"):
            shown = f"WWW-Authenticate: {challenge}" if challenge else "no WWW-Authenticate"
            wrong.append(f"  {label}: {response.status_code}, {shown}, {response.text[:80]}")
    assert not wrong, teach(
        f"GET {auth.path('get', ME)} let these through or answered them wrongly:\n"
        + "\n".join(wrong),
        "401 with `WWW-Authenticate: Bearer` for each: jwt.decode(token, settings.secret_key, "
        'algorithms=[settings.algorithm], options={"require": ["exp", "sub"]}) '
        "verifies the signature and exp and insists on both claims; catch jwt.PyJWTError",
    )
