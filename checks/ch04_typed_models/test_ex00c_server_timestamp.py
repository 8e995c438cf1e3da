"""Checks for chapter 4, step 3: the database fills created_at, in a column that keeps the zone.

The checks named after a `*_check` factory are in conftest.py, shared with the exercise."""

from sqlalchemy import DateTime, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    STEP,
    computed_default_check,
    create_returns_timestamp_check,
    reflected_columns,
    server_default_check,
)
from fastlings.testing import Teach

test_database_fills_created_at = server_default_check(STEP, dict(ADA))


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


test_create_user_returns_timestamp = create_returns_timestamp_check
test_created_at_default_is_computed = computed_default_check(STEP)
