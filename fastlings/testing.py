"""Small helpers that checks share. Learners never import this module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import MetaData
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


async def create_schema(engine: AsyncEngine, metadata: MetaData) -> None:
    """Create every table of the learner's metadata on the check's database."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


def override_sessions(
    app: FastAPI,
    dependency: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[AsyncSession]:
    """Make `dependency` yield sessions from the check's own sessionmaker.

    Returns the list of sessions handed out, so a check can tell whether the app really asked
    for its session through `Depends(dependency)`.
    """
    handed_out: list[AsyncSession] = []

    async def override() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            handed_out.append(session)
            yield session

    app.dependency_overrides[dependency] = override
    return handed_out


def resolve_ref(
    openapi: dict[str, Any], schema: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """Follow a `$ref` (also inside `allOf`/`anyOf` wrappers) to its component."""
    for wrapper in ("allOf", "anyOf", "oneOf"):
        if wrapper in schema and len(schema[wrapper]) >= 1:
            for option in schema[wrapper]:
                name, found = resolve_ref(openapi, option)
                if name:
                    return name, found
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, openapi.get("components", {}).get("schemas", {}).get(name, {})


def json_schema_of(responses_or_body: dict[str, Any]) -> dict[str, Any]:
    """The application/json schema of an OpenAPI response or request body ({} when none)."""
    content = responses_or_body.get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return schema if isinstance(schema, dict) else {}


def find_operation(
    openapi: dict[str, Any], method: str, prefix: str
) -> tuple[str, dict[str, Any]] | None:
    """The first path equal to `prefix` or `prefix/` that has `method`."""
    for path in (prefix, prefix + "/"):
        operation = openapi.get("paths", {}).get(path, {}).get(method.lower())
        if operation is not None:
            return path, operation
    return None
