"""Checks for chapter 12, exercise 1: only the owner reads, updates or deletes an item."""

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response
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


async def create_item(
    module: ModuleType, client: AsyncClient, owner: Account, title: str, teach: Teach
) -> dict[str, Any]:
    path = path_of(module, "post", "/items")
    response = await client.post(path, json={"title": title}, headers=owner.auth)
    body = response.json() if response.status_code == 201 else {}
    assert isinstance(body.get("id"), int), teach(
        f"POST {path} by its owner answered {response.status_code}: {response.text[:200]}",
        "201 and the new item, as the starter did: keep item creation working",
    )
    return dict(body)


def attempts(item_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Read, update and delete of one item: (method, path, JSON body)."""
    path = f"/items/{item_id}"
    return [("GET", path, None), ("PATCH", path, {"title": "pwned"}), ("DELETE", path, None)]


async def send(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | None, auth: dict[str, str]
) -> Response:
    return await client.request(method, path, json=body, headers=auth)


async def test_owner_reads_updates_and_deletes_own_item(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    ada = await sign_up(module, client, "ada", teach)
    item = await create_item(module, client, ada, "notes", teach)
    expected = {"GET": 200, "PATCH": 200, "DELETE": 204}
    for method, path, body in attempts(item["id"]):
        response = await send(client, method, path, body, ada.auth)
        assert response.status_code == expected[method], teach(
            f"{method} {path} by the item's owner answered {response.status_code}: "
            f"{response.text[:200]}",
            f"{expected[method]}: the owner keeps full access to her own item",
        )
    listing = await client.get(path_of(module, "get", "/items"), headers=ada.auth)
    assert listing.status_code == 200 and listing.json() == [], teach(
        f"After the owner deleted her only item, GET /items answered {listing.status_code}: "
        f"{listing.text[:200]}",
        "200 and an empty list",
    )


async def test_other_user_is_refused_the_same_way_everywhere(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    ada = await sign_up(module, client, "ada", teach)
    bob = await sign_up(module, client, "bob", teach)
    item = await create_item(module, client, ada, "ada's diary", teach)

    answers: dict[str, int] = {}
    for method, path, body in attempts(item["id"]):
        answers[f"{method} {path}"] = (await send(client, method, path, body, bob.auth)).status_code
    shown = ", ".join(f"{request} -> {status}" for request, status in answers.items())
    assert all(status in (403, 404) for status in answers.values()), teach(
        f"Bob, who does not own item {item['id']}, got: {shown}.",
        "403 or 404 for each: the item is looked up with `Item.owner_id == user.id` in one "
        "dependency that read, update and delete all use",
    )
    assert len(set(answers.values())) == 1, teach(
        f"Bob, who does not own item {item['id']}, got: {shown}.",
        "the SAME status for read, update and delete (404 everywhere, or 403 everywhere): "
        "a different answer tells him what the first one hid",
    )
    after = await client.get(f"/items/{item['id']}", headers=ada.auth)
    assert after.status_code == 200 and after.json().get("title") == "ada's diary", teach(
        f"After Bob's attempts, Ada's GET /items/{item['id']} answered {after.status_code}: "
        f"{after.text[:200]}",
        "Ada's item still there, still titled \"ada's diary\"",
    )
    listing = await client.get(path_of(module, "get", "/items"), headers=bob.auth)
    titles = [entry.get("title") for entry in listing.json()] if listing.status_code == 200 else []
    assert listing.status_code == 200 and titles == [], teach(
        f"Bob's GET /items answered {listing.status_code} with the titles {titles}.",
        "200 and only Bob's own items (none yet): filter the query with `Item.owner_id == user.id`",
    )


async def test_requests_without_token_get_401(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    ada = await sign_up(module, client, "ada", teach)
    item = await create_item(module, client, ada, "notes", teach)
    requests = [("GET", path_of(module, "get", "/items"), None), *attempts(item["id"])]
    answers = {
        f"{method} {path}": (await send(client, method, path, body, {})).status_code
        for method, path, body in requests
    }
    wrong = {request: status for request, status in answers.items() if status != 401}
    assert not wrong, teach(
        "Without an Authorization header: "
        + ", ".join(f"{request} -> {status}" for request, status in wrong.items()),
        "401 for every item route: each one needs the current user (directly or through the "
        "item dependency)",
    )
    after = await client.get(f"/items/{item['id']}", headers=ada.auth)
    assert after.status_code == 200 and after.json().get("title") == "notes", teach(
        f"After the anonymous attempts, Ada's item answered {after.status_code}: {after.text}",
        "the item unchanged",
    )
