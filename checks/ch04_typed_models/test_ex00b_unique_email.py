"""Checks for chapter 4, step 2: the table refuses a duplicate email and finds one by index.

The checks named after a `*_check` factory are in conftest.py, shared with the exercise."""

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    STEP,
    create_still_works_check,
    email_index_check,
    insert_sql,
    unique_email_check,
)
from fastlings.testing import Teach

test_duplicate_email_is_rejected = unique_email_check(STEP, dict(ADA))
test_email_lookup_uses_an_index = email_index_check(STEP)


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


test_create_user_still_works = create_still_works_check(ADA)
