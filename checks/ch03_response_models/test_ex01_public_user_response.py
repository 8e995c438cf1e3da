"""Checks for chapter 3, exercise 1: create and read answer with a public model.

The checks sign a user up and read it back through the learner's app, then compare every body's
keys to an allow-list of public fields, read the OpenAPI document for the model each success
response declares, and parse `created_at`.
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
# Said after a 500: the usual cause in this chapter.
RESPONSE_500 = (
    "; a 500 here usually means the returned row does not fit the response model "
    "(FastAPI logs a ResponseValidationError naming the field)"
)
SIGNUP = {"email": "ada@example.com", "name": "Ada Lovelace", "password": PASSWORD}
READ_PATH = re.compile(r"^/users/\{[^}/]+\}/?$")


@pytest.fixture
async def client(module: ModuleType, make_client: ClientFactory) -> AsyncIterator[AsyncClient]:
    """The learner's app; its engine is on the check's fresh database (DATABASE_URL)."""
    async with make_client(module.app) as http:
        yield http


def create_path(module: ModuleType) -> str:
    found = find_operation(module.app.openapi(), "post", "/users")
    return found[0] if found else "/users"


def read_template(module: ModuleType) -> str:
    """`/users/{user_id}` under whatever name the learner gave the path parameter."""
    for path, operations in module.app.openapi().get("paths", {}).items():
        if READ_PATH.match(path) and "get" in operations:
            return str(path)
    return "/users/{user_id}"


def read_path(module: ModuleType, user_id: object) -> str:
    return re.sub(r"\{[^}/]+\}", str(user_id), read_template(module))


def leaks(response: Response) -> list[str]:
    """The problems with a user body: non-public keys, or the password or its hash anywhere."""
    body = response.json()
    found = (
        [f"the field {key!r}" for key in sorted(set(body) - PUBLIC)]
        if isinstance(body, dict)
        else []
    )
    if PASSWORD in response.text:
        found.append("the plain password")
    if "$argon2" in response.text:
        found.append("an Argon2 hash")
    return found


async def seed(engine: AsyncEngine, email: str, name: str) -> int:
    """A user written straight into the check's database; the database fills created_at."""
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO users (email, name, password_hash) VALUES (:e, :n, :h)"),
            {"e": email, "n": name, "h": "$argon2id$v=19$m=65536,t=3,p=4$c2VlZA$aGFzaA"},
        )
        found = await conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
    return int(found)


async def test_create_and_read_show_only_public_fields(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    path = create_path(module)
    created = await client.post(path, json=SIGNUP)
    assert created.status_code == 201, teach(
        f"POST {path} with a valid sign-up answered {created.status_code}: {created.text[:200]}",
        "201 with the new user, read from the ORM row through the public model"
        + (RESPONSE_500 if created.status_code == 500 else ""),
    )
    found = leaks(created)
    assert not found, teach(
        f"POST {path} answered with {', '.join(found)}: {sorted(created.json())}.",
        f"only the public fields {sorted(PUBLIC)}: response_model=UserPublic (or a return "
        "annotation) on the create route",
    )
    user_id = created.json().get("id")
    path = read_path(module, user_id)
    read = await client.get(path)
    assert read.status_code == 200, teach(
        f"GET {path}, for the user just created, answered {read.status_code}: {read.text[:200]}",
        "200 with the user, read from the ORM row through the public model"
        + (RESPONSE_500 if read.status_code == 500 else ""),
    )
    found = leaks(read)
    assert not found, teach(
        f"GET {path} answered with {', '.join(found)}: {sorted(read.json())}.",
        "the public model on the read route too: every route that returns a user declares it",
    )


def declared_model(openapi: dict[str, Any], operation: dict[str, Any] | None) -> str:
    """'' when the success response names a public model; otherwise what is wrong with it."""
    if operation is None:
        return "the route is missing from OpenAPI"
    responses = operation.get("responses", {})
    success: dict[str, Any] = next(
        (responses[code] for code in ("201", "200") if code in responses), {}
    )
    name, component = resolve_ref(openapi, json_schema_of(success))
    if name is None:
        return "its success response declares no model (an empty schema)"
    extra = sorted(set(component.get("properties", {})) - PUBLIC)
    if extra:
        return f"its model {name} declares the non-public fields {extra}"
    return ""


async def test_openapi_documents_the_public_model(module: ModuleType, teach: Teach) -> None:
    openapi: dict[str, Any] = module.app.openapi()
    create = find_operation(openapi, "post", "/users")
    template = read_template(module)
    read = openapi.get("paths", {}).get(template, {}).get("get")
    problems = [
        f"{route}: {problem}"
        for route, problem in (
            (
                f"POST {create[0] if create else '/users'}",
                declared_model(openapi, create and create[1]),
            ),
            (f"GET {template}", declared_model(openapi, read)),
        )
        if problem
    ]
    assert not problems, teach(
        "In the OpenAPI document, " + "; ".join(problems) + ".",
        "each success response references the public model, whose schema lists only "
        f"{sorted(PUBLIC)}: response_model=UserPublic, or `-> UserPublic`",
    )


async def test_created_at_is_iso_8601(
    module: ModuleType, engine: AsyncEngine, client: AsyncClient, teach: Teach
) -> None:
    user_id = await seed(engine, "grace@example.com", "Grace Hopper")
    path = read_path(module, user_id)
    response = await client.get(path)
    body = response.json() if response.status_code == 200 else None
    value = body.get("created_at") if isinstance(body, dict) else None
    assert isinstance(value, str), teach(
        f"GET {path} for a stored user answered {response.status_code}: {response.text[:200]}",
        "200 with created_at, a datetime field of the public model"
        + (RESPONSE_500 if response.status_code == 500 else ""),
    )
    try:
        parsed: datetime | None = datetime.fromisoformat(value) if "T" in value else None
    except ValueError:
        parsed = None
    assert parsed is not None, teach(
        f"GET {path} sent created_at as {value!r}.",
        "an ISO 8601 date and time such as '2026-01-31T09:30:00+00:00': declare the field as "
        "`created_at: datetime` and let Pydantic serialise it",
    )
