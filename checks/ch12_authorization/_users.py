"""Helpers shared by the chapter 12 checks: wiring the app and signing users up."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fastlings.testing import ClientFactory, create_schema, find_operation, override_sessions

Teach = Callable[[str, str], str]


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@asynccontextmanager
async def wired_client(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
) -> AsyncIterator[AsyncClient]:
    """The learner's app, with `get_db` handing out sessions on the check's database."""
    await create_schema(engine, module.Base.metadata)
    override_sessions(module.app, module.get_db, sessionmaker)
    async with make_client(module.app) as client:
        yield client


def path_of(module: ModuleType, method: str, prefix: str) -> str:
    """`prefix` or `prefix/`, whichever the app declares."""
    found = find_operation(module.app.openapi(), method, prefix)
    return found[0] if found else prefix


async def sign_up(
    module: ModuleType,
    client: AsyncClient,
    username: str,
    teach: Teach,
    **extra: Any,
) -> Account:
    path = path_of(module, "post", "/users")
    response = await client.post(path, json={"username": username, **extra})
    body = response.json() if response.status_code == 201 else {}
    assert isinstance(body.get("id"), int) and isinstance(body.get("token"), str), teach(
        f"POST {path} (sign-up of {username!r}) answered {response.status_code}: "
        f"{response.text[:200]}",
        "201 with the new user's id and token, as the starter did: keep the sign-up working",
    )
    return Account(id=body["id"], username=username, token=body["token"])
