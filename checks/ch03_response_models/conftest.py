"""Helpers shared by the chapter 3 checks: the public fields, leaks, paths and seeded users."""

import re
from typing import Any

from fastapi import FastAPI
from httpx import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import json_schema_of, resolve_ref

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
        if schema.get("type") == "array":
            return f"its success response is an array ({schema}), not one user"
        return f"its success response declares no model ({schema or 'an empty schema'})"
    extra = sorted(set(component.get("properties", {})) - PUBLIC)
    if extra:
        return f"its model {name} declares the non-public fields {extra}"
    return ""


def component_of(openapi: dict[str, Any], operation: dict[str, Any] | None) -> dict[str, Any]:
    """The schema component the success response references ({} when none)."""
    responses = (operation or {}).get("responses", {})
    success: dict[str, Any] = next(
        (responses[code] for code in ("201", "200") if code in responses), {}
    )
    return resolve_ref(openapi, json_schema_of(success))[1]
