"""Checks for chapter 4, step 1: typed attributes whose annotations decide NULL and NOT NULL.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app.
"""

from types import ModuleType

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    assert_create_still_works,
    assert_nullability,
    assert_typed,
)
from fastlings.testing import Teach, WiredApp


async def test_nullability_follows_the_annotations(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    await assert_nullability(
        engine,
        table,
        teach,
        required="a required type for {name} (Mapped[...] without `| None`): the column is "
        "NOT NULL",
        optional="an optional type for bio (`| None` in its Mapped[...]): the column is then "
        "nullable",
    )


async def test_attributes_are_typed(module: ModuleType, table: Table, teach: Teach) -> None:
    await assert_typed(
        module,
        table,
        teach,
        {"id": int, "email": str, "name": str},
        typed="typed attributes: Mapped[int] for id, Mapped[str] for email and name",
        optional="an optional type inside Mapped[...] for bio: the value may be missing",
    )


async def test_create_user_still_works(wired: WiredApp, teach: Teach) -> None:
    await assert_create_still_works(wired, teach, {**ADA, **BIO})
