"""Checks for chapter 12, exercise 1: only the owner reads, updates or deletes an item."""

from typing import Any

from httpx import Response

from checks.ch12_authorization._users import create_item, sign_up, sign_up_ada_and_bob
from checks.ch12_authorization.conftest import assert_all_401
from fastlings.testing import Teach, WiredApp


def attempts(item_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Read, update and delete of one item: (method, path, JSON body)."""
    path = f"/items/{item_id}"
    return [("GET", path, None), ("PATCH", path, {"title": "pwned"}), ("DELETE", path, None)]


async def send(
    app: WiredApp, method: str, path: str, body: dict[str, Any] | None, auth: dict[str, str]
) -> Response:
    return await app.client.request(method, path, json=body, headers=auth)


async def test_owner_reads_updates_and_deletes_own_item(app: WiredApp, teach: Teach) -> None:
    ada = await sign_up(app, "ada", teach)
    item = await create_item(app, ada, "notes", teach)
    expected = {"GET": 200, "PATCH": 200, "DELETE": 204}
    for method, path, body in attempts(item["id"]):
        response = await send(app, method, path, body, ada.auth)
        refused = response.status_code in (403, 404)
        assert response.status_code == expected[method], teach(
            f"{method} {path} by the item's owner answered {response.status_code}: "
            f"{response.text[:200]}"
            + (
                f"\nThe owner's id is {ada.id} (ids are above 256 here): if the rule compares "
                "ids with `is`, it is probably that; `is` compares objects, `==` values."
                if refused
                else ""
            ),
            f"{expected[method]}: the owner keeps full access to her own item",
        )
    listing = await app.client.get(app.path("get", "/items"), headers=ada.auth)
    ids = [entry.get("id") for entry in listing.json()] if listing.status_code == 200 else None
    assert ids is not None and item["id"] not in ids, teach(
        f"After the owner deleted item {item['id']}, GET /items answered "
        f"{listing.status_code}: {listing.text[:200]}",
        "200, without the deleted item",
    )


async def test_other_user_is_refused_the_same_way_everywhere(app: WiredApp, teach: Teach) -> None:
    ada, bob = await sign_up_ada_and_bob(app, teach)
    item = await create_item(app, ada, "ada's diary", teach)

    answers: dict[str, int] = {}
    for method, path, body in attempts(item["id"]):
        answers[f"{method} {path}"] = (await send(app, method, path, body, bob.auth)).status_code
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
    after = await app.client.get(f"/items/{item['id']}", headers=ada.auth)
    assert after.status_code == 200 and after.json().get("title") == "ada's diary", teach(
        f"After Bob's attempts, Ada's GET /items/{item['id']} answered {after.status_code}: "
        f"{after.text[:200]}",
        "Ada's item still there, still titled \"ada's diary\"",
    )
    listing = await app.client.get(app.path("get", "/items"), headers=bob.auth)
    titles = [entry.get("title") for entry in listing.json()] if listing.status_code == 200 else []
    assert listing.status_code == 200 and titles == [], teach(
        f"Bob's GET /items answered {listing.status_code} with the titles {titles}.",
        "200 and only Bob's own items (none yet): filter the query with `Item.owner_id == user.id`",
    )


async def test_requests_without_token_get_401(app: WiredApp, teach: Teach) -> None:
    ada = await sign_up(app, "ada", teach)
    item = await create_item(app, ada, "notes", teach)
    requests = [("GET", app.path("get", "/items"), None), *attempts(item["id"])]
    answers = {
        f"{method} {path}": (await send(app, method, path, body, {})).status_code
        for method, path, body in requests
    }
    assert_all_401(
        answers,
        teach,
        "401 for every item route: each one needs the current user (directly or through the "
        "item dependency)",
    )
    after = await app.client.get(f"/items/{item['id']}", headers=ada.auth)
    assert after.status_code == 200 and after.json().get("title") == "notes", teach(
        f"After the anonymous attempts, Ada's item answered {after.status_code}: {after.text}",
        "the item unchanged",
    )
