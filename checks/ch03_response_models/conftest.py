"""Helpers shared by the chapter 3 checks: the public fields, leaks, paths and seeded users."""

import re
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from httpx import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import Teach, WiredApp, resolve_ref, success_schema

# What a client may see of a user. Anything else in a body is a leak.
PUBLIC = {"id", "email", "name", "created_at"}
PASSWORD = "correct horse battery staple"
SIGNUP = {"email": "ada@example.com", "name": "Ada Lovelace", "password": PASSWORD}
STORED_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VlZA$aGFzaA"
# Seeded ids sit far above CPython's small-int cache, so an `is` comparison cannot pass.
SEEDED_ID = 4242
READ_PATH = re.compile(r"^/users/\{[^}/]+\}/?$")


def read_template(app: FastAPI) -> str:
    """`/users/{user_id}` under whatever name the learner gave the path parameter."""
    for path, operations in app.openapi().get("paths", {}).items():
        if READ_PATH.match(path) and "get" in operations:
            return str(path)
    return "/users/{user_id}"


def read_path(app: FastAPI, user_id: object) -> str:
    return re.sub(r"\{[^}/]+\}", str(user_id), read_template(app))


def leaks_in(item: Any) -> list[str]:
    if not isinstance(item, dict):
        return []
    return [f"the field {key!r}" for key in sorted(set(item) - PUBLIC)]


def leaks(response: Response) -> list[str]:
    """Non-public keys in a user body (or in any item of a list), or the password or a hash
    anywhere in the text."""
    body = response.json()
    items = body if isinstance(body, list) else [body]
    found = sorted({leak for item in items for leak in leaks_in(item)})
    if PASSWORD in response.text:
        found.append("the plain password")
    if "$argon2" in response.text:
        found.append("an Argon2 hash")
    return found


async def seed(engine: AsyncEngine, email: str, name: str, user_id: int | None = None) -> int:
    """A user written straight into the check's database; the database fills created_at."""
    columns, values = "email, name, password_hash", ":e, :n, :h"
    params: dict[str, Any] = {"e": email, "n": name, "h": STORED_HASH}
    if user_id is not None:
        columns, values = f"id, {columns}", f":i, {values}"
        params["i"] = user_id
    async with engine.begin() as conn:
        await conn.execute(text(f"INSERT INTO users ({columns}) VALUES ({values})"), params)  # noqa: S608
        found = await conn.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
    return int(found)


def declared_model(
    openapi: dict[str, Any], operation: dict[str, Any] | None, many: bool = False
) -> str:
    """'' when the success response names a public model (an array of it when `many`);
    otherwise what is wrong with it."""
    if operation is None:
        return "the route is missing from OpenAPI"
    schema = success_schema(operation)
    if many:
        if schema.get("type") != "array":
            return f"its success response is {schema or 'an empty schema'}, not an array of users"
        schema = schema.get("items", {})
    name, component = resolve_ref(openapi, schema)
    if name is None:
        if schema.get("type") == "array":
            return f"its success response is an array ({schema}), not one user"
        return f"its success response declares no model ({schema or 'an empty schema'})"
    extra = sorted(set(component.get("properties", {})) - PUBLIC)
    if extra:
        return f"its model {name} declares the non-public fields {extra}"
    return ""


def component_of(openapi: dict[str, Any], operation: dict[str, Any] | None) -> dict[str, Any]:
    """The schema component the success response references ({} when none)."""
    return resolve_ref(openapi, success_schema(operation))[1]


async def signed_up(wired: WiredApp, teach: Teach) -> tuple[str, Response]:
    """POST /users with SIGNUP: the path used and the 201 response (a failed check otherwise;
    what the app did behind a 500 is shown by the plugin's diagnosis)."""
    path, created = await wired.send("post", "/users", json=SIGNUP)
    assert created.status_code == 201, teach(
        f"POST {path} with a valid sign-up answered {created.status_code}: {created.text[:200]}",
        "201 with the new user, read from the ORM row through the public model",
    )
    return path, created


async def read_seeded(wired: WiredApp) -> tuple[str, Response, Any]:
    """Seed Grace (id SEEDED_ID) straight into the database and read her through the app: the
    path read, the response and its JSON body (None unless the app answered 200)."""
    user_id = await seed(wired.engine, "grace@example.com", "Grace Hopper", SEEDED_ID)
    path = read_path(wired.app, user_id)
    response = await wired.client.get(path)
    return path, response, response.json() if response.status_code == 200 else None


async def assert_read_created_at_iso(wired: WiredApp, teach: Teach, present: str, iso: str) -> None:
    """A stored user read through the app carries created_at (`present` says how) written in
    ISO 8601 (`iso` says how)."""
    path, response, body = await read_seeded(wired)
    value = body.get("created_at") if isinstance(body, dict) else None
    assert isinstance(value, str), teach(
        f"GET {path} for a stored user answered {response.status_code}: {response.text[:200]}",
        present,
    )
    try:
        parsed: datetime | None = datetime.fromisoformat(value) if "T" in value else None
    except ValueError:
        parsed = None
    assert parsed is not None, teach(f"GET {path} sent created_at as {value!r}.", iso)


async def assert_missing_user_gets_404(wired: WiredApp, teach: Teach) -> None:
    path = read_path(wired.app, SEEDED_ID + 1)
    response = await wired.client.get(path)
    assert response.status_code == 404, teach(
        f"GET {path}, for a user that does not exist, answered {response.status_code}.",
        "404 with a detail, as before",
    )
