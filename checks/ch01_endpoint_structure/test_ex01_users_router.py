"""Checks for chapter 1, exercise 1: a router, a request model, an injected session, 201.

The learner's app runs with `get_db` overridden (the `wired` fixture) to hand out sessions on
the check's own database; the `sql` fixture sees every statement those sessions run.
"""

from types import ModuleType
from typing import Any

from sqlalchemy.engine import Engine

from checks.ch01_endpoint_structure.conftest import (
    ADA,
    assert_invalid_bodies_get_422,
    assert_only_ada_stored,
    inserts,
    routers_holding,
)
from fastlings.testing import (
    StatementLog,
    Teach,
    WiredApp,
    find_operation,
    json_schema_of,
    resolve_ref,
)


async def test_create_returns_201_with_response_model(wired: WiredApp, teach: Teach) -> None:
    path, response = await wired.send("post", "/users", json=ADA)
    assert response.status_code == 201, teach(
        f"POST {path} with a valid user answered {response.status_code}.",
        "201 Created for a new resource: status_code=201 on the route",
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("id"), int), teach(
        f"The 201 body was {body!r}.", "the new user as a JSON object with its integer id"
    )
    assert (body.get("email"), body.get("name")) == (ADA["email"], ADA["name"]), teach(
        f"The 201 body was {body!r}.", f"the email and name that were sent, {ADA}"
    )
    openapi = wired.app.openapi()
    operation = find_operation(openapi, "post", "/users")
    schema = json_schema_of(operation[1]["responses"].get("201", {})) if operation else {}
    name, component = resolve_ref(openapi, schema)
    assert name is not None, teach(
        "The OpenAPI document declares no model for the 201 response.",
        "response_model=... on the route (or a return annotation naming a Pydantic model)",
    )
    declared = set(component.get("properties", {}))
    assert set(body) <= declared and set(component.get("required", [])) <= set(body), teach(
        f"The body has fields {sorted(body)}; the response model {name} declares "
        f"{sorted(declared)}.",
        "the body to be exactly what the response model describes",
    )


async def test_openapi_shows_router_prefix_tag_and_models(
    module: ModuleType, wired: WiredApp, teach: Teach
) -> None:
    openapi: dict[str, Any] = wired.app.openapi()
    found = find_operation(openapi, "post", "/users")
    assert found is not None, teach(
        f"The OpenAPI document has no POST /users; its paths are "
        f"{sorted(openapi.get('paths', {}))}.",
        'a POST route under the "/users" prefix of an APIRouter, included in the app',
    )
    path, operation = found
    tags = operation.get("tags", [])
    assert "users" in tags, teach(
        f"POST {path} is listed under the tags {tags}.",
        'the tag "users", given once on the router (or on include_router)',
    )
    assert routers_holding(module, wired.app, "post"), teach(
        f"POST {path} is registered straight on the app: no APIRouter of the module, mounted "
        "with include_router, holds it.",
        'an APIRouter with the "/users" prefix (on the router or on include_router), mounted '
        "with app.include_router(...)",
    )
    body_schema = json_schema_of(operation.get("requestBody", {}))
    body_name, body_component = resolve_ref(openapi, body_schema)
    required = set(body_component.get("required", []))
    assert body_name is not None and {"email", "name"} <= required, teach(
        f"POST {path} documents no JSON request body model requiring email and name (found "
        f"{body_schema or 'nothing'}).",
        "a Pydantic model with email and name as the endpoint's body parameter",
    )
    response_schema = json_schema_of(operation.get("responses", {}).get("201", {}))
    response_name, _ = resolve_ref(openapi, response_schema)
    assert response_name is not None, teach(
        f"POST {path} documents the responses {sorted(operation.get('responses', {}))} "
        "with no model for 201.",
        "status_code=201 and response_model=<your public model> on the route",
    )


async def test_invalid_body_gets_422(wired: WiredApp, teach: Teach) -> None:
    await assert_invalid_bodies_get_422(
        wired,
        teach,
        "422 from FastAPI's validation, because the body parameter is a Pydantic model",
    )


async def test_row_written_through_injected_session(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    path, response = await wired.send("post", "/users", json=ADA)
    assert wired.sessions, teach(
        f"POST {path} answered {response.status_code} without asking for a session: the check "
        "replaced get_db through app.dependency_overrides and the override never ran.",
        "the endpoint takes `db: AsyncSession = Depends(get_db)` and writes through it",
    )
    assert inserts(sql), teach(
        f"POST {path} asked get_db for a session (the check's override ran), but no INSERT "
        "ran on that session: the row was written some other way.",
        "the user added and committed on the injected session itself",
    )
    await assert_only_ada_stored(
        wired,
        teach,
        f"After POST {path}, the database behind the injected session holds",
        "one row for the new user, added and committed (awaited) on the injected session",
    )


async def test_no_second_synchronous_engine(module: ModuleType, teach: Teach) -> None:
    sync_engines = [name for name, value in vars(module).items() if isinstance(value, Engine)]
    assert not sync_engines, teach(
        f"The module still creates a synchronous engine at import time: {sync_engines} (a "
        "second connection pool, its own tables, and blocking calls inside async def).",
        "one database layer: the async engine, its session factory and get_db",
    )
