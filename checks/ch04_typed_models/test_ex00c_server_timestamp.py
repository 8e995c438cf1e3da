"""Checks for chapter 4, step 3: the database fills created_at, in a column that keeps the zone.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app.
"""

from sqlalchemy import DateTime, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    assert_create_returns_timestamp,
    assert_database_fills_created_at,
    reflected_columns,
)
from fastlings.testing import Teach, WiredApp


async def test_database_fills_created_at(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_database_fills_created_at(
        engine,
        table,
        teach,
        dict(ADA),
        refused="created_at gets its value from the database: a server-side default, part of "
        "the table itself",
        null="a DEFAULT in the table itself (a server-side default), not one in Python",
    )


async def test_created_at_keeps_the_time_zone(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    columns = await reflected_columns(engine, table)
    dialect = engine.dialect.name
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
    await assert_create_returns_timestamp(wired, teach)
