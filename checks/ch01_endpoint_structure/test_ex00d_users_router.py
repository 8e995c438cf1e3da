"""Checks for chapter 1, step 4: the route lives on an APIRouter with the users prefix and tag."""

from types import ModuleType

from checks.ch01_endpoint_structure.conftest import (
    ADA,
    app_paths,
    routers_holding,
    unmounted_routers,
)
from fastlings.testing import Teach, WiredApp, find_operation


async def test_route_lives_on_a_router(module: ModuleType, wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    on_app = find_operation(wired.app.openapi(), "post", "/users") is not None
    unmounted = unmounted_routers(module, wired.app, "post")
    if on_app:
        observed = (
            f"POST {path} is registered straight on the app: no APIRouter of the module holds it."
        )
    elif unmounted:
        observed = (
            f"The router `{unmounted[0]}` holds a POST route, but the app never includes it, "
            f"so the app has no POST /users (its routes: {app_paths(wired.app) or 'none'})."
        )
    else:
        observed = (
            "The app has no POST /users and no APIRouter of the module holds a POST route "
            f"(the app's routes: {app_paths(wired.app) or 'none'})."
        )
    assert routers_holding(module, wired.app, "post"), teach(
        observed,
        'the route on an APIRouter (with prefix "/users", on the router or on include_router), '
        "mounted with app.include_router(...)",
    )


async def test_openapi_groups_the_route_under_users(wired: WiredApp, teach: Teach) -> None:
    found = find_operation(wired.app.openapi(), "post", "/users")
    tags = found[1].get("tags", []) if found else None
    assert tags is not None and "users" in tags, teach(
        "In the OpenAPI document, POST /users "
        + (
            f"is listed under the tags {tags}"
            if tags is not None
            else f"is missing; its paths are {sorted(wired.app.openapi().get('paths', {}))}"
        )
        + ".",
        'the tag "users", said once: APIRouter(..., tags=["users"]) or include_router(..., '
        'tags=["users"])',
    )


async def test_create_still_answers_201(wired: WiredApp, teach: Teach) -> None:
    path, response = await wired.send("post", "/users", json=ADA)
    assert response.status_code == 201 and response.json().get("email") == ADA["email"], teach(
        f"POST {path} answered {response.status_code}: {response.text[:160]}",
        "201 with the new user at /users (or /users/): moving the route must not change it",
    )
