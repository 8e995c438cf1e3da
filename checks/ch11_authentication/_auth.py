"""Helpers shared by the chapter 11 checks: wiring the app, signing up, logging in."""

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fastlings.testing import ClientFactory, create_schema, find_operation, override_sessions

Teach = Callable[[str, str], str]

# The key the checks sign with: the app gets it through the `get_settings` override.
CHECK_KEY = "fastlings-check-key-0123456789abcdef-0123456789"
# A different, equally long key: "signed with another key".
OTHER_KEY = "somebody-elses-key-0123456789abcdef-0123456789ab"
ALGORITHM = "HS256"
PASSWORD = "correct horse battery staple"


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


@asynccontextmanager
async def wired_client(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    teach: Teach,
) -> AsyncIterator[AsyncClient]:
    """The learner's app on the check's database, with settings holding `CHECK_KEY`."""
    await create_schema(engine, module.Base.metadata)
    override_sessions(module.app, module.get_db, sessionmaker)
    settings = settings_with_check_key(module, teach)
    async with make_client(module.app) as client:
        module.app.dependency_overrides[module.get_settings] = lambda: settings
        yield client


def path_of(module: ModuleType, method: str, prefix: str) -> str:
    """`prefix` or `prefix/`, whichever the app declares."""
    found = find_operation(module.app.openapi(), method, prefix)
    return found[0] if found else prefix


async def sign_up(
    module: ModuleType, client: AsyncClient, username: str, teach: Teach
) -> dict[str, Any]:
    path = path_of(module, "post", "/users")
    response = await client.post(path, json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, teach(
        f"POST {path} (sign-up of {username!r}) answered {response.status_code}: "
        f"{response.text[:200]}",
        "201 and the new user, as the starter did: keep the sign-up route working",
    )
    body: dict[str, Any] = response.json()
    return body


async def log_in(module: ModuleType, client: AsyncClient, username: str, password: str) -> Response:
    """The OAuth2 password flow: a form with `username` and `password`, as /docs sends it."""
    path = path_of(module, "post", "/token")
    return await client.post(path, data={"username": username, "password": password})


def form_login_failed(response: Response, teach: Teach, outcome: str = "200 and a token") -> str:
    return teach(
        f"POST /token with the OAuth2 password form (username and password as form fields) "
        f"answered {response.status_code}: {response.text[:200]}",
        f"{outcome}: `form: Annotated[OAuth2PasswordRequestForm, Depends()]` reads that "
        "form, which is what /docs and every OAuth2 client send",
    )
