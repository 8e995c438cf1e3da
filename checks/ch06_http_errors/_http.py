"""Small helpers the chapter 6 checks share."""

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncEngine


async def seed(engine: AsyncEngine, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows written on the check's own connection, before the app is asked anything."""
    async with engine.begin() as conn:
        await conn.execute(insert(table), rows)


def detail_of(body: Any) -> str | None:
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) and detail.strip() else None


def path_type(app: Any, name: str) -> str | None:
    """The JSON-schema type(s) the app's OpenAPI document gives the path parameter `name`."""
    for operations in app.openapi().get("paths", {}).values():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter.get("in") == "path" and parameter.get("name") == name:
                schema = parameter.get("schema", {})
                kinds = [s.get("type") for s in schema.get("anyOf", [schema])]
                return " or ".join(str(k) for k in kinds if k) or None
    return None


def let_through(app: Any, name: str, raw: str, status: int) -> str:
    """Why FastAPI's validation did not refuse `raw`, when the app's document says so."""
    if status == 422:
        return ""
    declared = path_type(app, name)
    if declared in (None, "integer"):
        return ""
    return (
        f" The app declares the path parameter `{name}` as {declared!r} (its OpenAPI "
        f"schema), so FastAPI's validation let {raw!r} through."
    )


def status_says(status: int) -> str:
    """What the status told the client, for the statuses a learner's missing case answers."""
    if status == 200:
        return " A 200 tells the client nothing went wrong, whatever the body says."
    if status == 500:
        return " A 500 tells the client the server broke, not that what it asked for is missing."
    return ""
