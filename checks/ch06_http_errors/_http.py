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
