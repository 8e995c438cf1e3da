"""Checks for chapter 4, step 2: the table refuses a duplicate email and finds one by index.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app.
"""

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    assert_create_still_works,
    assert_duplicate_email_rejected,
    assert_lookup_uses_an_index,
    insert_sql,
)
from fastlings.testing import Teach, WiredApp


async def test_duplicate_email_is_rejected(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_duplicate_email_rejected(
        engine,
        table,
        teach,
        dict(ADA),
        "an IntegrityError from the database: a unique constraint (or unique index) on email",
    )


async def test_email_lookup_uses_an_index(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    await assert_lookup_uses_an_index(
        engine,
        table,
        teach,
        "an index on email, so the lookup reads the index instead of every row",
    )


async def test_distinct_emails_are_accepted(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    sql = insert_sql(table, ["email", "name"])
    emails = ["ada@example.com", "ada@example.co", "Ada.L@example.com"]
    try:
        async with engine.begin() as conn:
            for email in emails:
                await conn.execute(sql, {"email": email, "name": "Ada"})
    except IntegrityError as exc:
        raise AssertionError(
            teach(
                f"The database refused one of three different emails {emails}: {exc.orig}.",
                "only the email must be unique: a constraint on email alone, not on name",
            )
        ) from None


async def test_create_user_still_works(wired: WiredApp, teach: Teach) -> None:
    await assert_create_still_works(wired, teach, ADA)
