"""Helpers shared by the chapter 11 checks: the app wired with a known key, signing up, logging
in, and reading what the login answered."""

import dataclasses
import re
from types import ModuleType
from typing import Any

from httpx import Response

from fastlings.testing import Teach, WiredApp

# The key the checks sign with: the app gets it through the `get_settings` override.
CHECK_KEY = "fastlings-check-key-0123456789abcdef-0123456789"
# A different, equally long key: "signed with another key".
OTHER_KEY = "somebody-elses-key-0123456789abcdef-0123456789ab"
ALGORITHM = "HS256"
PASSWORD = "correct horse battery staple"
# OWASP's Argon2id floor: m=7 MiB with t=5, ..., m=19 MiB with t=2, m=46 MiB with t=1, which
# all come to about 36 MiB-passes. pwdlib's recommended() is m=64 MiB, t=3.
MIN_MEMORY_KIB = 7168
MIN_MEMORY_TIMES_PASSES = 35_000


def settings_with_check_key(module: ModuleType, teach: Teach) -> Any:
    """The app's own settings with `secret_key` replaced by the key the checks know."""
    get_settings = getattr(module, "get_settings", None)
    assert callable(get_settings), teach(
        "The module has no `get_settings` function.",
        "keep the given `get_settings` dependency: the checks override it with a known key",
    )
    settings = get_settings()
    if hasattr(settings, "model_copy"):
        return settings.model_copy(update={"secret_key": CHECK_KEY})
    return dataclasses.replace(settings, secret_key=CHECK_KEY)


def use_check_key(wired: WiredApp, teach: Teach) -> None:
    """Make the app read settings holding `CHECK_KEY` (cleared with the other overrides)."""
    settings = settings_with_check_key(wired.module, teach)
    wired.app.dependency_overrides[wired.module.get_settings] = lambda: settings


async def sign_up(wired: WiredApp, username: str, teach: Teach) -> dict[str, Any]:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, teach(
        f"POST {path} (sign-up of {username!r}) answered {response.status_code}: "
        f"{response.text[:200]}",
        "201 and the new user, as the starter did: keep the sign-up route working",
    )
    body: dict[str, Any] = response.json()
    return body


async def log_in(wired: WiredApp, username: str, password: str) -> Response:
    """The OAuth2 password flow: a form with `username` and `password`, as /docs sends it."""
    path = wired.path("post", "/token")
    return await wired.client.post(path, data={"username": username, "password": password})


def login_failed(response: Response, teach: Teach, outcome: str = "200 and a token") -> str:
    """Why a login with the right password did not answer `outcome`, from what it answered."""
    sent = "POST /token with the OAuth2 password form (username and password as form fields)"
    observed = f"{sent} answered {response.status_code}: {response.text[:200]}"
    if response.status_code == 422:
        return teach(
            observed + "\nA 422 means the request did not validate: the login reads something "
            "other than the form fields it was sent.",
            f"{outcome}: `form: Annotated[OAuth2PasswordRequestForm, Depends()]` reads that "
            "form, which is what /docs and every OAuth2 client send",
        )
    if response.status_code in (400, 401):
        return teach(
            observed + "\nThe login read the form and refused the right password: probably "
            "the password check (verify the form's password against the stored hash, in that "
            "order) or the user lookup.",
            f"{outcome} for the password the user signed up with",
        )
    return teach(observed, outcome)


def argon2_parameters(stored: str) -> tuple[int, int, int] | None:
    """(memory KiB, passes, lanes) of an `$argon2id$v=19$m=...,t=...,p=...$...` hash."""
    found = re.match(r"\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def weak_parameters(stored: str) -> str | None:
    """What is too weak about an Argon2id hash's parameters, or None."""
    params = argon2_parameters(stored)
    if params is None:
        return "its parameters cannot be read"
    memory, passes, _lanes = params
    if memory < MIN_MEMORY_KIB or memory * passes < MIN_MEMORY_TIMES_PASSES:
        return (
            f"m={memory} KiB and t={passes} are below OWASP's floor (at least {MIN_MEMORY_KIB} "
            f"KiB, and memory x passes at least about 36 MiB: e.g. m=19456,t=2 or m=12288,t=3)"
        )
    return None
