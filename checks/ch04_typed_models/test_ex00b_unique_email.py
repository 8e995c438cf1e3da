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
    insert_sql,
    lookup_plan,
    uses_index,
)
from fastlings.testing import Teach, WiredApp


async def test_duplicate_email_is_rejected(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    sql = insert_sql(table, ["email", "name"])
    first = dict(ADA)
    second = {**first, "name": "Another Ada"}
    async with engine.begin() as conn:
        await conn.execute(sql, first)
    rejected = False
    try:
        async with engine.begin() as conn:
            await conn.execute(sql, second)
    except IntegrityError:
        rejected = True
    assert rejected, teach(
        f"The database accepted a second row in {table.name} with the email "
        f"{ADA['email']!r}: nothing in the table makes email unique.",
        "an IntegrityError from the database: a unique constraint (or unique index) on email",
    )


async def test_email_lookup_uses_an_index(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    async with engine.begin() as conn:
        plan = await conn.run_sync(lookup_plan, table)
    assert uses_index(plan), teach(
        f"The database plans `SELECT ... WHERE email = ...` as: {plan}. Every log-in reads "
        "the whole table.",
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
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=ADA)
    assert response.status_code == 201 and response.json().get("email") == ADA["email"], teach(
        f"POST {path} answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )
