"""Helpers shared by the chapter 14 checks: seeding users and items, and saying why a 500."""

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from fastlings.testing import StatementLog, WiredApp, first_error

FIRST_ID = 301  # ids above 256: an `is` comparison of ints would fail


def seed_rows(n_users: int, start: int = 0) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Users `start+1 .. start+n_users`; user k owns k % 3 items (some own none)."""
    users: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for k in range(start + 1, start + n_users + 1):
        user_id = FIRST_ID + k
        users.append({"id": user_id, "name": f"user {k} \\ O'Neil"})
        for j in range(k % 3):
            items.append(
                {"id": 10_000 + 10 * k + j, "title": f"item {j} of {k}", "owner_id": user_id}
            )
    return users, items


async def seed(wired: WiredApp, sql: StatementLog, n_users: int, start: int = 0) -> None:
    """Insert the rows of `seed_rows` with the check's engine (not counted in `sql`)."""
    users, items = seed_rows(n_users, start)
    tables = wired.module.Base.metadata.tables
    with sql.paused():
        async with wired.engine.begin() as conn:
            await conn.execute(tables["users"].insert(), users)
            if items:
                await conn.execute(tables["items"].insert(), items)


async def get_json(wired: WiredApp, path: str) -> tuple[Response, Any]:
    """GET `path` on the learner's app: the response, and its JSON body (None unless 200)."""
    response = await wired.client.get(path)
    return response, response.json() if response.status_code == 200 else None


async def statements_by_size(
    wired: WiredApp,
    sql: StatementLog,
    paths: Sequence[str],
    sizes: tuple[int, int],
    answered: Callable[[str, int, Response], Awaitable[None]],
) -> dict[tuple[str, int], list[str]]:
    """The SQL each GET of `paths` runs with the smaller number of users seeded, then again
    once the larger number is, by (path, number of users). Each response goes to `answered`
    (path, number of users, response) as soon as it arrives, for the check to judge it."""
    small, large = sizes
    await seed(wired, sql, small)
    await wired.client.get(paths[0])  # warm-up: first connections may run set-up queries
    ran: dict[tuple[str, int], list[str]] = {}
    for n_users in (small, large):
        if n_users == large:
            await seed(wired, sql, large - small, start=small)
        for path in paths:
            before = len(sql)
            response = await wired.client.get(path)
            ran[path, n_users] = sql.statements[before:]
            await answered(path, n_users, response)
    return ran


def expected_users(n_users: int) -> list[dict[str, Any]]:
    users, items = seed_rows(n_users)
    return [
        {
            "id": u["id"],
            "name": u["name"],
            "items": [
                {"id": i["id"], "title": i["title"]} for i in items if i["owner_id"] == u["id"]
            ],
        }
        for u in users
    ]


def expected_items(n_users: int) -> list[dict[str, Any]]:
    users, items = seed_rows(n_users)
    names = {u["id"]: u["name"] for u in users}
    return [
        {
            "id": i["id"],
            "title": i["title"],
            "owner": {"id": i["owner_id"], "name": names[i["owner_id"]]},
        }
        for i in items
    ]


def normalised(body: Any) -> Any:
    """The body with every list of objects sorted by id (the order of a user's items is free)."""
    if isinstance(body, list):
        values = [normalised(v) for v in body]
        if all(isinstance(v, dict) and "id" in v for v in values):
            values.sort(key=lambda v: (str(type(v["id"])), v["id"]))
        return values
    if isinstance(body, dict):
        return {k: normalised(v) for k, v in body.items()}
    return body


def explain(exc: BaseException) -> str:
    """What an exception that escaped the app says, in one line, with the likely reading."""
    text = str(exc)
    error = first_error(exc)
    if error is not None:
        text = f"{error.get('msg', text)} (at {error.get('loc', '')})"
    line = (text.strip().splitlines() or [""])[0][:300]
    if "MissingGreenlet" in text or "greenlet_spawn" in text:
        return (
            f"{type(exc).__name__}: {line}. The response model read a relationship the query "
            "had not loaded, and an AsyncSession cannot load it implicitly: a lazy load."
        )
    match = re.search(r"'([\w.]+)' is not available due to lazy='raise", text)
    if match:
        return (
            f"{type(exc).__name__}: {line}. The response model read {match.group(1)}, which the "
            "query had not loaded, and lazy='raise' refused to load it behind your back."
        )
    if "unique() method must be invoked" in text:
        return (
            f"{type(exc).__name__}: {line}. joinedload of a collection repeats each parent once "
            "per child: call .unique() on the result (or use selectinload)."
        )
    return f"{type(exc).__name__}: {line}"


async def why_500(app: FastAPI, response: Response) -> str:
    """Send the same request again, this time letting the app's exception reach the check."""
    if response.status_code != 500:
        return ""
    request = response.request
    transport = ASGITransport(app=app)  # raise_app_exceptions=True: the exception comes here
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        try:
            await client.request(request.method, request.url.path, params=request.url.params)
        except Exception as exc:
            return ". Sent again, the app raised " + explain(exc)
    return " (the same request sent again raised no exception)"


def count_text(statements: list[str]) -> str:
    shown = "; ".join(" ".join(s.split())[:110] for s in statements[:3])
    more = f"; ... ({len(statements) - 3} more)" if len(statements) > 3 else ""
    return f"{shown}{more}"
