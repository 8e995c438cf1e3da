"""Checks for chapter 1, exercise 1: a router, a request model, an injected session, 201."""

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import pytest
from fastapi import APIRouter
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fastlings.testing import (
    ClientFactory,
    create_schema,
    find_operation,
    json_schema_of,
    override_sessions,
    resolve_ref,
)

Teach = Callable[[str, str], str]
ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}


@pytest.fixture
async def wired(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
) -> AsyncIterator[tuple[AsyncClient, list[AsyncSession]]]:
    """The learner's app, with `get_db` overridden to hand out the check's own sessions."""
    await create_schema(engine, module.Base.metadata)
    handed_out = override_sessions(module.app, module.get_db, sessionmaker)
    async with make_client(module.app) as client:
        yield client, handed_out


def users_path(module: ModuleType) -> str:
    """`/users` or `/users/`, whichever the app declares (both are fine)."""
    found = find_operation(module.app.openapi(), "post", "/users")
    return found[0] if found else "/users"


async def test_create_returns_201_with_response_model(
    module: ModuleType, wired: tuple[AsyncClient, list[AsyncSession]], teach: Teach
) -> None:
    client, _ = wired
    path = users_path(module)
    response = await client.post(path, json=ADA)
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
    openapi = module.app.openapi()
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


async def test_openapi_shows_router_prefix_tag_and_models(module: ModuleType, teach: Teach) -> None:
    openapi: dict[str, Any] = module.app.openapi()
    found = find_operation(openapi, "post", "/users")
    assert found is not None, teach(
        f"The OpenAPI document has no POST /users; its paths are "
        f"{sorted(openapi.get('paths', {}))}.",
        'a POST route at "" on APIRouter(prefix="/users"), included in the app',
    )
    path, operation = found
    tags = operation.get("tags", [])
    assert "users" in tags, teach(
        f"POST {path} is listed under the tags {tags}.",
        'the tag "users", given once on APIRouter(prefix="/users", tags=["users"])',
    )
    routers = [
        value
        for value in vars(module).values()
        if isinstance(value, APIRouter) and value is not module.app.router
    ]
    assert any(
        router.prefix == "/users" and any(getattr(r, "path", "") == path for r in router.routes)
        for router in routers
    ), teach(
        f"POST {path} is registered straight on the app; the module defines no APIRouter with "
        'prefix "/users" holding it.',
        'router = APIRouter(prefix="/users", tags=["users"]), then app.include_router(router)',
    )
    body_schema = json_schema_of(operation.get("requestBody", {}))
    body_name, body_component = resolve_ref(openapi, body_schema)
    properties = set(body_component.get("properties", {}))
    assert body_name is not None and {"email", "name"} <= properties, teach(
        f"POST {path} documents no JSON request body model (found {body_schema or 'nothing'}).",
        "a Pydantic model with email and name as the endpoint's body parameter",
    )
    response_schema = json_schema_of(operation.get("responses", {}).get("201", {}))
    response_name, _ = resolve_ref(openapi, response_schema)
    assert response_name is not None, teach(
        f"POST {path} documents the responses {sorted(operation.get('responses', {}))} "
        "with no model for 201.",
        "status_code=201 and response_model=<your public model> on the route",
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"name": "Ada Lovelace"}, "the email is missing"),
        ({"email": "ada@example.com"}, "the name is missing"),
        ({"email": "ada@example.com", "name": 42}, "the name is a number, not a string"),
        (["ada@example.com", "Ada"], "the body is a list, not an object"),
    ],
    ids=["no-email", "no-name", "name-not-string", "list-body"],
)
async def test_invalid_body_gets_422(
    module: ModuleType,
    wired: tuple[AsyncClient, list[AsyncSession]],
    body: Any,
    why: str,
    teach: Teach,
) -> None:
    client, _ = wired
    path = users_path(module)
    response = await client.post(path, json=body)
    assert response.status_code == 422, teach(
        f"POST {path} answered {response.status_code} when {why} ({body!r}).",
        "422 from FastAPI's validation, because the body parameter is a Pydantic model",
    )


async def test_row_written_through_injected_session(
    module: ModuleType,
    engine: AsyncEngine,
    wired: tuple[AsyncClient, list[AsyncSession]],
    teach: Teach,
) -> None:
    client, handed_out = wired
    path = users_path(module)
    response = await client.post(path, json=ADA)
    assert handed_out, teach(
        f"POST {path} answered {response.status_code} without asking for a session: the check "
        "replaced get_db through app.dependency_overrides and the override never ran.",
        "the endpoint takes `db: AsyncSession = Depends(get_db)` and writes through it",
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT email, name FROM users"))).all()
    assert [tuple(row) for row in rows] == [(ADA["email"], ADA["name"])], teach(
        f"After POST {path}, the database behind the injected session holds {rows}.",
        "one row for the new user, added and committed (awaited) on the injected session",
    )
