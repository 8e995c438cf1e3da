"""Checks for chapter 4, exercise 1: a typed model whose table enforces what the app assumes.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database: raw SQL inserts, constraint violations, query plans and
the reflected columns. Nothing here reads the source.
"""

from datetime import datetime
from types import ModuleType

from sqlalchemy import DateTime, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    assert_create_returns_timestamp,
    assert_database_fills_created_at,
    assert_duplicate_email_rejected,
    assert_lookup_uses_an_index,
    assert_nullability,
    assert_typed,
    reflected_columns,
)
from fastlings.testing import Teach, WiredApp


async def test_database_fills_created_at(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_database_fills_created_at(
        engine,
        table,
        teach,
        {**ADA, **BIO},
        refused="created_at gets its value from the database: "
        "mapped_column(DateTime(timezone=True), server_default=func.now())",
        null="a DEFAULT in the table itself: server_default=func.now()",
    )


async def test_duplicate_email_is_rejected(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_duplicate_email_rejected(
        engine,
        table,
        teach,
        {**ADA, **BIO, "created_at": datetime(2026, 1, 1)},
        "an IntegrityError from a unique constraint: mapped_column(String(255), unique=True, "
        "index=True)",
    )


async def test_email_lookup_uses_an_index(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_lookup_uses_an_index(
        engine,
        table,
        teach,
        "an index on email: mapped_column(String(255), unique=True, index=True) creates a "
        "unique index",
    )


async def test_nullability_follows_the_annotations(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    await assert_nullability(
        engine,
        table,
        teach,
        required="{name}: Mapped[str] = mapped_column(...): without `| None` the column is "
        "NOT NULL",
        optional="bio: Mapped[str | None] = mapped_column(Text): `| None` makes the column "
        "nullable",
    )


async def test_attributes_are_typed(module: ModuleType, table: Table, teach: Teach) -> None:
    await assert_typed(
        module,
        table,
        teach,
        {"email": str, "name": str, "created_at": datetime},
        typed="typed attributes: email: Mapped[str], name: Mapped[str], created_at: "
        "Mapped[datetime]",
        optional="bio: Mapped[str | None]: the type says the value may be missing",
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


async def test_create_user_returns_timestamp(wired: WiredApp, teach: Teach) -> None:
    await assert_create_returns_timestamp(wired, teach)
