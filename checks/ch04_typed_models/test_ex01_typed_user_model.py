"""Checks for chapter 4, exercise 1: a typed model whose table enforces what the app assumes.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database: raw SQL inserts, constraint violations, query plans and
the reflected columns. Nothing here reads the source.
"""

from datetime import datetime
from types import ModuleType

from sqlalchemy import DateTime, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    insert_sql,
    is_optional,
    lookup_plan,
    mapped_class,
    mapped_type,
    type_hints,
    uses_index,
)
from fastlings.testing import Teach, WiredApp


async def test_database_fills_created_at(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    sql = insert_sql(table, ["email", "name", "bio"])
    try:
        async with engine.begin() as conn:
            await conn.execute(sql, {**ADA, **BIO})
    except IntegrityError as exc:
        raise AssertionError(
            teach(
                f"A raw SQL `INSERT INTO {table.name} (email, name, bio)` was refused by the "
                f"database: {exc.orig}. The table has no DEFAULT for the columns left out.",
                "created_at gets its value from the database: "
                "mapped_column(DateTime(timezone=True), server_default=func.now())",
            )
        ) from None
    async with engine.connect() as conn:
        stamp = (await conn.execute(text(f'SELECT created_at FROM "{table.name}"'))).scalar()  # noqa: S608
    assert stamp is not None, teach(
        f"A raw SQL `INSERT INTO {table.name} (email, name, bio)` stored created_at = NULL: the "
        "default lives in Python (default=... or insert_default=...), so only ORM inserts get "
        "one.",
        "a DEFAULT in the table itself: server_default=func.now()",
    )


async def test_duplicate_email_is_rejected(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    sql = insert_sql(table, ["email", "name", "bio", "created_at"])
    first = {**ADA, **BIO, "created_at": datetime(2026, 1, 1)}
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
        "an IntegrityError from a unique constraint: mapped_column(String(255), unique=True, "
        "index=True)",
    )


async def test_email_lookup_uses_an_index(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    async with engine.begin() as conn:
        plan = await conn.run_sync(lookup_plan, table)
    assert uses_index(plan), teach(
        f"The database plans `SELECT ... WHERE email = ...` as: {plan}. Every log-in reads "
        "the whole table.",
        "an index on email: mapped_column(String(255), unique=True, index=True) creates a "
        "unique index",
    )


async def test_nullability_follows_the_annotations(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns(table.name))
    nullable = {column["name"]: bool(column["nullable"]) for column in columns}
    for name in ("email", "name"):
        assert nullable.get(name) is False, teach(
            f"In the database, {table.name}.{name} accepts NULL (columns: {nullable}).",
            f"{name}: Mapped[str] = mapped_column(...): without `| None` the column is NOT NULL",
        )
    optional = [name for name in ("bio",) if name in nullable]
    assert optional and all(nullable[name] for name in optional), teach(
        f"In the database, the optional column bio is {'missing' if not optional else 'NOT NULL'}"
        f" (columns: {nullable}).",
        "bio: Mapped[str | None] = mapped_column(Text): `| None` makes the column nullable",
    )


async def test_attributes_are_typed(module: ModuleType, table: Table, teach: Teach) -> None:
    model = mapped_class(module, table)
    hints = type_hints(model, teach)
    expected = {"email": str, "name": str, "created_at": datetime}
    found = {name: mapped_type(hints, name) for name in (*expected, "bio")}
    assert all(found[name] is kind for name, kind in expected.items()), teach(
        f"{model.__name__} annotates email, name and created_at as "
        f"{[str(hints.get(n, 'nothing')) for n in expected]}.",
        "typed attributes: email: Mapped[str], name: Mapped[str], created_at: Mapped[datetime]",
    )
    assert is_optional(found["bio"]), teach(
        f"{model.__name__}.bio is annotated as {hints.get('bio', 'nothing')}.",
        "bio: Mapped[str | None]: the type says the value may be missing",
    )


async def test_column_types(engine: AsyncEngine, table: Table, teach: Teach) -> None:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns(table.name))
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
