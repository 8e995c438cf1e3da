"""Checks for chapter 12, step 1: a new item belongs to the caller, whatever the body says."""

from checks.ch12_authorization._users import create_item, owner_in_db, sign_up, sign_up_ada_and_bob
from fastlings.testing import Teach, WiredApp, find_operation, json_schema_of, resolve_ref


async def test_item_belongs_to_the_caller(app: WiredApp, teach: Teach) -> None:
    await sign_up(app, "ada", teach)
    bob = await sign_up(app, "bob", teach)
    path = app.path("post", "/items")
    response = await app.client.post(path, json={"title": "bob's note"}, headers=bob.auth)
    assert "owner_id" not in response.text or response.status_code != 422, teach(
        f"POST {path} by Bob with only a title answered 422: {response.text[:200]}",
        "201: a client must not have to say who owns the item (the server knows from the token)",
    )
    item = await create_item(app, bob, "bob's note", teach)
    owner = await owner_in_db(app, item["id"])
    assert owner == bob.id, teach(
        f"Bob created item {item['id']} with only a title; the database says its owner_id is "
        f"{owner}, Bob's id is {bob.id}.",
        "the owner is the current user: Item(..., owner_id=user.id)",
    )


async def test_body_cannot_choose_the_owner(app: WiredApp, teach: Teach) -> None:
    ada, bob = await sign_up_ada_and_bob(app, teach)
    path = app.path("post", "/items")
    response = await app.client.post(
        path, json={"title": "planted", "owner_id": ada.id}, headers=bob.auth
    )
    if response.status_code != 422:  # a model with extra="forbid" refuses the field: fine
        body = response.json() if response.status_code == 201 else {}
        assert isinstance(body.get("id"), int), teach(
            f'POST {path} by Bob with "owner_id": {ada.id} answered {response.status_code}: '
            f"{response.text[:200]}",
            "201 with the extra field ignored (or 422 when the model forbids extra fields)",
        )
        owner = await owner_in_db(app, body["id"])
        assert owner == bob.id, teach(
            f'Bob sent {{"title": "planted", "owner_id": {ada.id}}} (Ada\'s id) and the new '
            f"item's owner_id is {owner} in the database.",
            f"Bob's id {bob.id}: the body carries only what a client may choose",
        )
    found = find_operation(app.app.openapi(), "post", "/items")
    operation = found[1] if found else {}
    _name, schema = resolve_ref(app.app.openapi(), json_schema_of(operation.get("requestBody", {})))
    assert "owner_id" not in schema.get("properties", {}), teach(
        "The OpenAPI document still offers `owner_id` in the body of POST /items: "
        f"{sorted(schema.get('properties', {}))}.",
        "a create model with the fields a client may choose (the title), nothing more",
    )
