"""Checks for chapter 12, exercise 2: a guarded admin router, and no admin by sign-up."""

import re

from sqlalchemy import text

from checks.ch12_authorization._users import Account, is_admin_in_db, sign_up
from checks.ch12_authorization.conftest import assert_all_401
from fastlings.testing import Teach, WiredApp

# What people try when they think the role travels with the request. None may open the door.
BYPASSES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("an X-Role: admin header", {"X-Role": "admin"}, {}),
    ("an X-Admin: true header", {"X-Admin": "true"}, {}),
    ("an X-Is-Admin: 1 header", {"X-Is-Admin": "1"}, {}),
    ("?admin=true in the query", {}, {"admin": "true"}),
    ("?is_admin=true in the query", {}, {"is_admin": "true"}),
    ("a role=admin cookie", {"Cookie": "role=admin; is_admin=true"}, {}),
]


async def promote(app: WiredApp, account: Account) -> None:
    """What an operator does: set the flag in the database, outside the API."""
    async with app.engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET is_admin = :flag WHERE id = :id"),
            {"flag": True, "id": account.id},
        )


def admin_requests(app: WiredApp, victim_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", app.path("get", "/admin/users")),
        ("DELETE", f"/admin/users/{victim_id}"),
    ]


def guarded_in_openapi(app: WiredApp, request: str) -> bool | None:
    """Whether the OpenAPI operation serving `request` ("METHOD /path") carries a security
    requirement, i.e. depends on the bearer scheme (None when no operation matches)."""
    method, path = request.split(" ", 1)
    for template, item in app.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in item:
            return bool(item[method.lower()].get("security"))
    return None


def let_through(app: WiredApp, succeeded: list[str]) -> str:
    """Why the requests in `succeeded` (answered 2xx) got through, from the OpenAPI document."""
    if not succeeded:
        return ""
    guarded = [request for request in succeeded if guarded_in_openapi(app, request)]
    if guarded == succeeded:
        return (
            "\nThose routes do depend on the bearer token (their OpenAPI operations carry a "
            "security requirement), so a guard ran and let him through: it must raise "
            "HTTPException(403) (returning it refuses nothing), from the role in his row."
        )
    return (
        f"\n{', '.join(r for r in succeeded if r not in guarded)}: no security requirement in the "
        "OpenAPI document, so nothing on that route asks who is calling: no guard ran."
    )


async def ordinary_user(app: WiredApp, username: str, teach: Teach) -> Account:
    """Sign up `username` and make sure the database says it is NOT an admin."""
    account = await sign_up(app, username, teach)
    flag = await is_admin_in_db(app, account.id)
    assert flag is False, teach(
        f"{username} signed up without asking for anything, and the database row has "
        f"is_admin = {flag}.",
        "sign-up creates ordinary users (is_admin false); only an operator makes admins",
    )
    return account


async def test_admin_uses_admin_routes(app: WiredApp, teach: Teach) -> None:
    root = await sign_up(app, "root", teach)
    victim = await sign_up(app, "spammer", teach)
    await promote(app, root)
    expected = {"GET": 200, "DELETE": 204}
    for method, path in admin_requests(app, victim.id):
        response = await app.client.request(method, path, headers=root.auth)
        assert response.status_code == expected[method], teach(
            f"{method} {path} by an admin answered {response.status_code}: {response.text[:200]}",
            f"{expected[method]}: admins (users.is_admin true) keep access to the admin routes",
        )
    assert await is_admin_in_db(app, victim.id) is None, teach(
        f"After the admin's DELETE /admin/users/{victim.id}, the user is still in the database.",
        "the user deleted",
    )


async def test_non_admin_gets_403_on_every_admin_route(app: WiredApp, teach: Teach) -> None:
    bob = await ordinary_user(app, "bob", teach)
    victim = await ordinary_user(app, "victim", teach)
    answers = {
        f"{method} {path}": (await app.client.request(method, path, headers=bob.auth)).status_code
        for method, path in admin_requests(app, victim.id)
    }
    wrong = {request: status for request, status in answers.items() if status != 403}
    assert not wrong, teach(
        "Bob, a logged-in user whose row says is_admin = false, got: "
        + ", ".join(f"{request} -> {status}" for request, status in wrong.items())
        + let_through(app, [request for request, status in wrong.items() if status < 400]),
        "403 on every admin route: one guard on the admin router covers them all at once",
    )
    assert await is_admin_in_db(app, victim.id) is not None, teach(
        f"After Bob's DELETE /admin/users/{victim.id}, that user is gone from the database.",
        "the user still there: a refused request changes nothing",
    )


async def test_role_never_comes_from_the_request(app: WiredApp, teach: Teach) -> None:
    bob = await ordinary_user(app, "bob", teach)
    victim = await ordinary_user(app, "victim", teach)
    opened = []
    for label, headers, params in BYPASSES:
        for method, path in admin_requests(app, victim.id):
            response = await app.client.request(
                method, path, headers={**bob.auth, **headers}, params=params
            )
            if response.status_code != 403:
                opened.append(f"  {method} {path} with {label}: {response.status_code}")
    assert not opened, teach(
        "Bob (is_admin = false in the database) was not refused with:\n" + "\n".join(opened),
        "403 whatever the request says about itself: the role comes from the user's row, "
        "loaded through the token, never from a header, a query parameter or a cookie",
    )


async def test_admin_routes_without_token_get_401(app: WiredApp, teach: Teach) -> None:
    victim = await sign_up(app, "victim", teach)
    answers = {
        f"{method} {path}": (await app.client.request(method, path)).status_code
        for method, path in admin_requests(app, victim.id)
    }
    assert_all_401(
        answers,
        teach,
        "401 on every admin route (the guard depends on the current user, whose bearer "
        "scheme answers 401 when no token is sent)",
    )


async def test_sign_up_cannot_grant_admin(app: WiredApp, teach: Teach) -> None:
    path = app.path("post", "/users")
    for field in ("is_admin", "isAdmin"):
        response = await app.client.post(path, json={"username": f"mallory-{field}", field: True})
        if response.status_code == 422:  # a model with extra="forbid" refuses the field: fine
            continue
        body = response.json() if response.status_code == 201 else {}
        assert isinstance(body.get("id"), int) and isinstance(body.get("token"), str), teach(
            f'POST {path} with {{"username": ..., "{field}": true}} answered '
            f"{response.status_code}: {response.text[:200]}",
            f"201 with `{field}` ignored (or 422 when the model forbids extra fields)",
        )
        flag = await is_admin_in_db(app, body["id"])
        assert flag is False, teach(
            f'After a sign-up with "{field}": true, the database row has is_admin = {flag}.',
            "is_admin false: the sign-up model declares only what a client may choose, so "
            "nothing in the body can reach the User's role",
        )
        mallory = Account(id=body["id"], username="mallory", token=body["token"])
        admin_page = await app.client.get(app.path("get", "/admin/users"), headers=mallory.auth)
        assert admin_page.status_code == 403, teach(
            f'Mallory signed up with "{field}": true (her row says is_admin = false), then GET '
            f"/admin/users answered {admin_page.status_code}.",
            "403: she is an ordinary user",
        )
