"""Chapter 11 helper: log in and read the token's claims as the check's key verifies them."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt

from checks.ch11_authentication._auth import ALGORITHM, CHECK_KEY, PASSWORD, log_in, login_failed
from fastlings.testing import Teach, WiredApp


async def login_token(wired: WiredApp, username: str, teach: Teach) -> str:
    response = await log_in(wired, username, PASSWORD)
    assert response.status_code == 200, login_failed(response, teach)
    body = response.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    assert isinstance(token, str) and str(body.get("token_type", "")).lower() == "bearer", teach(
        f"The login answered {body!r}.",
        '{"access_token": "<jwt>", "token_type": "bearer"}, the OAuth2 token response',
    )
    return token


def signed_claims(token: str, teach: Teach) -> dict[str, Any]:
    """The token's claims after checking its signature only (not `exp`, not the `sub` type)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            CHECK_KEY,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_sub": False},
        )
    except jwt.InvalidSignatureError:
        raise AssertionError(
            teach(
                "The token's signature does not verify with the secret key that the check put "
                "in the settings.",
                "jwt.encode(claims, settings.secret_key, algorithm=settings.algorithm), with "
                "settings from Depends(get_settings)",
            )
        ) from None
    except jwt.PyJWTError as exc:
        raise AssertionError(
            teach(
                f"The token cannot be decoded as an {ALGORITHM} JWT: {exc}.",
                "jwt.encode(claims, settings.secret_key, algorithm=settings.algorithm)",
            )
        ) from None
    return claims


@contextmanager
def pyjwt_refusals() -> Iterator[list[str]]:
    """The errors `jwt.decode` raises inside the block, the ones the app catches included: what
    PyJWT said about a token the app refused. (An app that calls decode by another name is
    simply not seen.)"""
    seen: list[str] = []
    original = jwt.decode

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except jwt.PyJWTError as exc:
            seen.append(f"{type(exc).__name__}: {exc}")
            raise

    jwt.decode = spy
    try:
        yield seen
    finally:
        jwt.decode = original
