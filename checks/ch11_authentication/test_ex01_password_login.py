"""Checks for chapter 11, exercise 1: Argon2 hashes, a form login, a token with sub and exp."""

import re
import time
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import jwt
import pytest
from httpx import AsyncClient, Response
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from checks.ch11_authentication._auth import (
    ALGORITHM,
    CHECK_KEY,
    PASSWORD,
    form_login_failed,
    log_in,
    sign_up,
    wired_client,
)
from fastlings.testing import ClientFactory

Teach = Callable[[str, str], str]
MAX_LIFETIME = 24 * 3600  # seconds: access tokens are short-lived


@pytest.fixture
async def client(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    teach: Teach,
) -> AsyncIterator[AsyncClient]:
    async with wired_client(module, engine, sessionmaker, make_client, teach) as http:
        yield http


async def stored_strings(module: ModuleType, engine: AsyncEngine) -> list[str]:
    """Every string value in every table of the learner's metadata."""
    values: list[str] = []
    async with engine.connect() as conn:
        for table in module.Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).all():
                values += [value for value in row if isinstance(value, str)]
    return values


def describe_stored(value: str) -> str:
    if value == PASSWORD:
        return "the password itself, in plain text"
    if re.fullmatch(r"[0-9a-f]{32,128}", value):
        return f"a {len(value) * 4}-bit hex digest ({value[:16]}...): fast and unsalted"
    if value.startswith(("$2a$", "$2b$", "$2y$")):
        return f"a bcrypt hash ({value[:7]}...)"
    return repr(value[:40])


async def test_password_stored_as_argon2_hash(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    await sign_up(module, client, "ada", teach)
    values = [v for v in await stored_strings(module, engine) if v != "ada"]
    assert PASSWORD not in values, teach(
        "After the sign-up, the database holds the password in plain text.",
        'an Argon2 hash: PasswordHash.recommended().hash(password), stored as "$argon2id$..."',
    )
    hashes = [v for v in values if v.startswith("$argon2id$")]
    assert hashes, teach(
        "After the sign-up, the password column holds "
        f"{', '.join(describe_stored(v) for v in values) or 'nothing'}.",
        'an Argon2id hash from pwdlib\'s PasswordHash.recommended(), starting with "$argon2id$"',
    )
    assert PasswordHash.recommended().verify(PASSWORD, hashes[0]), teach(
        f"The stored Argon2 hash {hashes[0][:30]}... does not verify the password that was sent.",
        "password_hash.hash(<the password from the request>)",
    )


async def test_form_login_returns_token_with_string_sub_and_exp(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    user = await sign_up(module, client, "ada", teach)
    response = await log_in(module, client, "ada", PASSWORD)
    assert response.status_code == 200, form_login_failed(response, teach)
    body = response.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    assert isinstance(token, str) and str(body.get("token_type", "")).lower() == "bearer", teach(
        f"The login answered {body!r}.",
        '{"access_token": "<jwt>", "token_type": "bearer"}, the OAuth2 token response',
    )
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
    sub = claims.get("sub")
    assert isinstance(sub, str) and sub in (str(user.get("id")), "ada"), teach(
        f"The token's `sub` claim is {sub!r} ({type(sub).__name__}).",
        f"the user's id as a string ({str(user.get('id'))!r}) or the username: PyJWT 2.10+ "
        "rejects a non-string `sub` when it decodes",
    )
    exp = claims.get("exp")
    now = time.time()
    assert isinstance(exp, int | float) and now < exp <= now + MAX_LIFETIME, teach(
        f"The token's `exp` claim is {exp!r}"
        + (f" ({exp - now:+.0f} s from now)." if isinstance(exp, int | float) else "."),
        "an `exp` a few minutes ahead (at most a day): datetime.now(UTC) + "
        "timedelta(minutes=settings.access_token_minutes)",
    )


async def timed_login(
    module: ModuleType, client: AsyncClient, username: str
) -> tuple[Response, float]:
    start = time.perf_counter()
    response = await log_in(module, client, username, "not the password")
    return response, time.perf_counter() - start


async def test_unknown_user_and_wrong_password_look_alike(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    await sign_up(module, client, "ada", teach)
    wrong, wrong_time = await timed_login(module, client, "ada")
    unknown, unknown_time = await timed_login(module, client, "nobody")
    assert wrong.status_code != 422, form_login_failed(wrong, teach, "401 for a wrong password")
    assert wrong.status_code in (400, 401), teach(
        f"POST /token with a wrong password answered {wrong.status_code}: {wrong.text[:200]}",
        "401 Unauthorized (400 is what RFC 6749 says; either, but the same for every failure)",
    )
    assert (unknown.status_code, unknown.text) == (wrong.status_code, wrong.text), teach(
        f"A wrong password got {wrong.status_code} {wrong.text}, an unknown username got "
        f"{unknown.status_code} {unknown.text}: an attacker learns which usernames exist.",
        'one identical answer for both, e.g. 401 "Incorrect username or password"',
    )
    if unknown_time < 0.25 * wrong_time:  # a hiccup of the machine? measure once more
        wrong, wrong_time = await timed_login(module, client, "ada")
        unknown, unknown_time = await timed_login(module, client, "nobody")
    assert unknown_time >= 0.25 * wrong_time, teach(
        f"An unknown username was refused in {unknown_time * 1000:.0f} ms, a wrong password in "
        f"{wrong_time * 1000:.0f} ms: the response time tells which usernames exist.",
        "verify the password against a dummy Argon2 hash when the user does not exist",
    )
