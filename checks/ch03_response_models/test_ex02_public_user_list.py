"""Checks for chapter 3, exercise 2: every route, the list included, answers with the public model.

The checks sign a user up, store a second one directly, then call create, read and list through
the learner's app: every body's keys must be on the allow-list of public fields, every success
response in OpenAPI must reference a model with only those fields (an array of it for the
list), and the list must carry every user with `created_at` in ISO 8601.
"""

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import ClientFactory, find_operation, json_schema_of, resolve_ref

Teach = Callable[[str, str], str]

# What a client may see of a user. Anything else in a body is a leak.
PUBLIC = {"id", "email", "name", "created_at"}
PASSWORD = "correct horse battery staple"
SIGNUP = {"email": "ada@example.com", "name": "Ada Lovelace", "password": PASSWORD}
STORED_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZA$aGFzaA"
# Said after a 500: the usual cause in this chapter.
RESPONSE_500 = (
    " (a 500 here usually means the returned value does not fit the response model: "
    "FastAPI logs a ResponseValidationError naming the field)"
)
READ_PATH = re.compile(r"^/users/\{[^}/]+\}/?$")


@pytest.fixture
async def client(module: ModuleType, make_client: ClientFactory) -> AsyncIterator[AsyncClient]:
    """The learner's app; its engine is on the check's fresh database (DATABASE_URL)."""
    async with make_client(module.app) as http:
        yield http


def collection_path(module: ModuleType, method: str) -> str:
    """`/users` or `/users/`, whichever the app declares for `method` (both are fine)."""
    found = find_operation(module.app.openapi(), method, "/users")
    return found[0] if found else "/users"


def read_template(module: ModuleType) -> str:
    """`/users/{user_id}` under whatever name the learner gave the path parameter."""
    for path, operations in module.app.openapi().get("paths", {}).items():
        if READ_PATH.match(path) and "get" in operations:
            return str(path)
    return "/users/{user_id}"


def leaks_in(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return []
    return [f"the field {key!r}" for key in sorted(set(item) - PUBLIC)]


def leaks(response: Response) -> list[str]:
    """Non-public keys in a user body (or in any item of a list), or the hash anywhere."""
    body = response.json()
    items = body if isinstance(body, list) else [body]
    found = sorted({leak for item in items for leak in leaks_in(item)})
    if PASSWORD in response.text:
        found.append("the plain password")
    if "$argon2" in response.text:
        found.append("Argon2 hashes")
    return found


async def seed(engine: AsyncEngine, email: str, name: str) -> int:
    """A user written straight into the check's database; the database fills created_at."""
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO users (email, name, password_hash) VALUES (:e, :n, :h)"),
            {"e": email, "n": name, "h": STORED_HASH},
        )
        found = await conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
    return int(found)


async def test_no_route_returns_non_public_fields(
    module: ModuleType, engine: AsyncEngine, client: AsyncClient, teach: Teach
) -> None:
    path = collection_path(module, "post")
    created = await client.post(path, json=SIGNUP)
    assert created.status_code == 201, teach(
        f"POST {path} with a valid sign-up answered {created.status_code}: {created.text[:200]}",
        "201 with the new user, read from the ORM row through the public model",
    )
    await seed(engine, "grace@example.com", "Grace Hopper")
    read_path = re.sub(r"\{[^}/]+\}", str(created.json().get("id")), read_template(module))
    list_path = collection_path(module, "get")
    responses = {
        f"POST {path}": created,
        f"GET {read_path}": await client.get(read_path),
        f"GET {list_path}": await client.get(list_path),
    }
    problems: list[str] = []
    for route, response in responses.items():
        if response.status_code >= 300:
            hint = RESPONSE_500 if response.status_code == 500 else ""
            problems.append(f"{route} answered {response.status_code}{hint}")
        elif found := leaks(response):
            problems.append(f"{route} sent {', '.join(found)}")
    assert not problems, teach(
        "; ".join(problems) + ".",
        f"only the public fields {sorted(PUBLIC)} from every route: one public model as the "
        "response model of create and read, and list[...] of it on the list route",
    )


def declared_model(openapi: dict[str, Any], operation: dict[str, Any] | None, many: bool) -> str:
    """'' when the success response names a public model (an array of it when `many`)."""
    if operation is None:
        return "the route is missing from OpenAPI"
    responses = operation.get("responses", {})
    success: dict[str, Any] = next(
        (responses[code] for code in ("201", "200") if code in responses), {}
    )
    schema = json_schema_of(success)
    if many:
        if schema.get("type") != "array":
            return f"its success response is {schema or 'an empty schema'}, not an array of users"
        schema = schema.get("items", {})
    name, component = resolve_ref(openapi, schema)
    if name is None:
        return "its success response declares no model"
    extra = sorted(set(component.get("properties", {})) - PUBLIC)
    if extra:
        return f"its model {name} declares the non-public fields {extra}"
    return ""


async def test_openapi_documents_the_public_model_on_every_route(
    module: ModuleType, teach: Teach
) -> None:
    openapi: dict[str, Any] = module.app.openapi()
    create = find_operation(openapi, "post", "/users")
    listing = find_operation(openapi, "get", "/users")
    template = read_template(module)
    routes = [
        (f"POST {collection_path(module, 'post')}", create and create[1], False),
        (f"GET {template}", openapi.get("paths", {}).get(template, {}).get("get"), False),
        (f"GET {collection_path(module, 'get')}", listing and listing[1], True),
    ]
    problems = [
        f"{route}: {problem}"
        for route, operation, many in routes
        if (problem := declared_model(openapi, operation, many))
    ]
    assert not problems, teach(
        "In the OpenAPI document, " + "; ".join(problems) + ".",
        f"every success response references a public model listing only {sorted(PUBLIC)} "
        "(response_model=UserPublic / list[UserPublic], or the same as return annotations); "
        "response_model_exclude hides a value but still documents the field",
    )


async def test_list_has_every_user_with_iso_created_at(
    module: ModuleType, engine: AsyncEngine, client: AsyncClient, teach: Teach
) -> None:
    seeded = {"grace@example.com", "linus@example.com"}
    for email in sorted(seeded):
        await seed(engine, email, email.split("@")[0].title())
    path = collection_path(module, "get")
    response = await client.get(path)
    body = response.json() if response.status_code == 200 else None
    emails = (
        {item.get("email") for item in body if isinstance(item, dict)}
        if isinstance(body, list)
        else set()
    )
    assert isinstance(body, list) and emails == seeded, teach(
        f"GET {path} with two stored users answered {response.status_code}: {response.text[:200]}",
        f"200 with a JSON array of both users {sorted(seeded)}"
        + (RESPONSE_500 if response.status_code == 500 else ""),
    )
    bad: list[str] = []
    for item in body:
        value = item.get("created_at")
        try:
            ok = isinstance(value, str) and "T" in value and bool(datetime.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            bad.append(repr(value))
    assert not bad, teach(
        f"GET {path} sent created_at as {', '.join(bad)}.",
        "an ISO 8601 date and time such as '2026-01-31T09:30:00+00:00' on every item: "
        "`created_at: datetime` in the public model",
    )
