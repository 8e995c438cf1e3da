"""Checks for chapter 4, exercise 1: a typed model whose table enforces what the app assumes.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database: raw SQL inserts, constraint violations, query plans and
the reflected columns. Nothing here reads the source. The
checks named after a `*_check` factory are in conftest.py, shared with the steps.
"""

from datetime import datetime

from sqlalchemy import DateTime, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    EXERCISE,
    computed_default_check,
    create_returns_timestamp_check,
    email_index_check,
    nullability_check,
    reflected_columns,
    server_default_check,
    typed_check,
    unique_email_check,
)
from fastlings.testing import Teach

test_database_fills_created_at = server_default_check(EXERCISE, {**ADA, **BIO})
test_duplicate_email_is_rejected = unique_email_check(
    EXERCISE, {**ADA, **BIO, "created_at": datetime(2026, 1, 1)}
)
test_email_lookup_uses_an_index = email_index_check(EXERCISE)
test_nullability_follows_the_annotations = nullability_check(EXERCISE)
test_attributes_are_typed = typed_check(
    EXERCISE, {"email": str, "name": str, "created_at": datetime}
)


async def test_column_types(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    columns = await reflected_columns(engine, table)
    email_type = next(c["type"] for c in columns if c["name"] == "email")
    assert getattr(email_type, "length", None) == 255, teach(
        f"In the database, {table.name}.email is {email_type}.",
        "VARCHAR(255): mapped_column(String(255), ...); a bare String has no length, which "
        "PostgreSQL turns into an unbounded VARCHAR",
    )
    created_type = table.c.created_at.type
    assert isinstance(created_type, DateTime) and created_type.timezone, teach(
        f"{table.name}.created_at is declared as {created_type!r}.",
        "DateTime(timezone=True): PostgreSQL then stores TIMESTAMP WITH TIME ZONE, and "
        "func.now() keeps its UTC offset",
    )


test_create_user_returns_timestamp = create_returns_timestamp_check
test_created_at_default_is_computed = computed_default_check(EXERCISE)
