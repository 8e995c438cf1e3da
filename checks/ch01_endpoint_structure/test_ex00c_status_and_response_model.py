"""Checks for chapter 1, step 3: 201 Created and a declared response model."""

from typing import Any

from fastlings.testing import Teach, WiredApp, find_operation, json_schema_of, resolve_ref

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}


async def test_create_answers_201(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=ADA)
    assert response.status_code == 201, teach(
        f"POST {path} with a valid sign-up answered {response.status_code}.",
        "201 Created for a new resource: status_code=201 (status.HTTP_201_CREATED) on the route",
    )


async def test_openapi_declares_the_response_model(wired: WiredApp, teach: Teach) -> None:
    openapi = wired.app.openapi()
    found = find_operation(openapi, "post", "/users")
    responses = found[1].get("responses", {}) if found else {}
    success: dict[str, Any] = next((responses[c] for c in ("201", "200") if c in responses), {})
    name, component = resolve_ref(openapi, json_schema_of(success))
    properties = set(component.get("properties", {}))
    assert name is not None and properties == {"id", "email", "name"}, teach(
        f"In the OpenAPI document, POST /users answers {sorted(responses)} with "
        + (f"the model {name} ({sorted(properties)})" if name else "no declared model")
        + ".",
        "response_model=<a model with id, email and name> on the route (or a return annotation "
        "naming it)",
    )


async def test_body_is_the_new_user(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=ADA)
    body = response.json() if response.status_code < 300 else None
    assert (
        isinstance(body, dict)
        and set(body) == {"id", "email", "name"}
        and isinstance(body["id"], int)
        and (body["email"], body["name"]) == (ADA["email"], ADA["name"])
    ), teach(
        f"POST {path} answered {response.status_code}: {response.text[:160]}",
        "the new user as {id, email, name}, with the values that were sent",
    )
