"""Checks for chapter 12, exercise 2: a guarded admin router, and no admin by sign-up."""

from collections.abc import AsyncIterator, Callable
from types import ModuleType

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from checks.ch12_authorization._users import Account, path_of, sign_up, wired_client
from fastlings.testing import ClientFactory

Teach = Callable[[str, str], str]


@pytest.fixture
async def client(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
) -> AsyncIterator[AsyncClient]:
    async with wired_client(module, engine, sessionmaker, make_client) as http:
        yield http


async def promote(engine: AsyncEngine, account: Account) -> None:
    """What an operator does: set the flag in the database, outside the API."""
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET is_admin = :flag WHERE id = :id"),
            {"flag": True, "id": account.id},
        )


async def is_admin_in_db(engine: AsyncEngine, user_id: int) -> bool | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(text("SELECT is_admin FROM users WHERE id = :id"), {"id": user_id})
        ).first()
    return None if row is None else bool(row[0])


def admin_requests(module: ModuleType, victim_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", path_of(module, "get", "/admin/users")),
        ("DELETE", f"/admin/users/{victim_id}"),
    ]


async def test_admin_uses_admin_routes(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    root = await sign_up(module, client, "root", teach)
    victim = await sign_up(module, client, "spammer", teach)
    await promote(engine, root)
    expected = {"GET": 200, "DELETE": 204}
    for method, path in admin_requests(module, victim.id):
        response = await client.request(method, path, headers=root.auth)
        assert response.status_code == expected[method], teach(
            f"{method} {path} by an admin answered {response.status_code}: {response.text[:200]}",
            f"{expected[method]}: admins (users.is_admin true) keep access to the admin routes",
        )
    assert await is_admin_in_db(engine, victim.id) is None, teach(
        f"After the admin's DELETE /admin/users/{victim.id}, the user is still in the database.",
        "the user deleted",
    )


async def test_non_admin_gets_403_on_every_admin_route(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    bob = await sign_up(module, client, "bob", teach)
    victim = await sign_up(module, client, "victim", teach)
    answers = {
        f"{method} {path}": (await client.request(method, path, headers=bob.auth)).status_code
        for method, path in admin_requests(module, victim.id)
    }
    wrong = {request: status for request, status in answers.items() if status != 403}
    assert not wrong, teach(
        "Bob, a logged-in user who is not an admin, got: "
        + ", ".join(f"{request} -> {status}" for request, status in wrong.items()),
        '403 on every admin route: APIRouter(prefix="/admin", '
        "dependencies=[Depends(require_admin)]) guards them all at once",
    )
    assert await is_admin_in_db(engine, victim.id) is not None, teach(
        f"After Bob's DELETE /admin/users/{victim.id}, that user is gone from the database.",
        "the user still there: a refused request changes nothing",
    )


async def test_admin_routes_without_token_get_401(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    victim = await sign_up(module, client, "victim", teach)
    answers = {
        f"{method} {path}": (await client.request(method, path)).status_code
        for method, path in admin_requests(module, victim.id)
    }
    wrong = {request: status for request, status in answers.items() if status != 401}
    assert not wrong, teach(
        "Without an Authorization header: "
        + ", ".join(f"{request} -> {status}" for request, status in wrong.items()),
        "401 on every admin route (require_admin depends on the current user, whose bearer "
        "scheme answers 401 when no token is sent)",
    )


async def test_sign_up_cannot_grant_admin(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    path = path_of(module, "post", "/users")
    response = await client.post(path, json={"username": "mallory", "is_admin": True})
    if response.status_code == 422:  # a model with extra="forbid" refuses the field: fine
        return
    body = response.json() if response.status_code == 201 else {}
    assert isinstance(body.get("id"), int) and isinstance(body.get("token"), str), teach(
        f'POST {path} with {{"username": "mallory", "is_admin": true}} answered '
        f"{response.status_code}: {response.text[:200]}",
        "201 with `is_admin` ignored (or 422 when the model forbids extra fields)",
    )
    flag = await is_admin_in_db(engine, body["id"])
    assert flag is False, teach(
        f'After a sign-up with "is_admin": true, the database row has is_admin = {flag}.',
        "is_admin false: the sign-up model (UserCreate) has no is_admin field, so model_dump() "
        "cannot carry it into the User",
    )
    mallory = Account(id=body["id"], username="mallory", token=body["token"])
    admin_page = await client.get(path_of(module, "get", "/admin/users"), headers=mallory.auth)
    assert admin_page.status_code == 403, teach(
        f'Mallory signed up with "is_admin": true, then GET /admin/users answered '
        f"{admin_page.status_code}.",
        "403: she is an ordinary user",
    )
