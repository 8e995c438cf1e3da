"""Checks for chapter 4, step 3: the database fills created_at, in a column that keeps the zone.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app.
"""

from datetime import datetime

from sqlalchemy import DateTime, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    insert_sql,
)
from fastlings.testing import Teach, WiredApp


async def test_database_fills_created_at(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    sql = insert_sql(table, ["email", "name"])
    try:
        async with engine.begin() as conn:
            await conn.execute(sql, ADA)
    except IntegrityError as exc:
        raise AssertionError(
            teach(
                f"A raw SQL `INSERT INTO {table.name} (email, name)` was refused by the "
                f"database: {exc.orig}. The table has no DEFAULT for the columns left out.",
                "created_at gets its value from the database: a server-side default, part of "
                "the table itself",
            )
        ) from None
    async with engine.connect() as conn:
        stamp = (await conn.execute(text(f'SELECT created_at FROM "{table.name}"'))).scalar()  # noqa: S608
    assert stamp is not None, teach(
        f"A raw SQL `INSERT INTO {table.name} (email, name)` stored created_at = NULL: the "
        "default lives in Python (default=... or insert_default=...), so only ORM inserts get "
        "one.",
        "a DEFAULT in the table itself (a server-side default), not one in Python",
    )


async def test_created_at_keeps_the_time_zone(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns(table.name))
        dialect = conn.dialect.name
    reflected = next(c["type"] for c in columns if c["name"] == "created_at")
    declared = table.c.created_at.type
    aware = isinstance(declared, DateTime) and declared.timezone
    if dialect == "postgresql":
        aware = aware and bool(getattr(reflected, "timezone", False))
    assert aware, teach(
        f"{table.name}.created_at is declared as {declared!r} (the database reports {reflected}).",
        "a date-time type with time zone, so PostgreSQL stores TIMESTAMP WITH TIME ZONE and "
        "the UTC offset of now() is kept",
    )


async def test_create_user_returns_timestamp(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=ADA)
    assert response.status_code == 201, teach(
        f"POST {path} answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )
    value = response.json().get("created_at")
    assert isinstance(value, str) and datetime.fromisoformat(value), teach(
        f"POST {path} answered {response.json()}.",
        "created_at filled in (by the database) and read back with `await db.refresh(user)`",
    )
