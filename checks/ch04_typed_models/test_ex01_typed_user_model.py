"""Checks for chapter 4, exercise 1: a typed model whose table enforces what the app assumes.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database: raw SQL inserts, constraint violations, query plans and
the reflected columns. Nothing here reads the source.
"""

import typing
from collections.abc import Callable
from datetime import datetime
from types import ModuleType, NoneType, UnionType
from typing import Any

import pytest
from sqlalchemy import Connection, DateTime, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped

from fastlings.testing import ClientFactory, create_schema

Teach = Callable[[str, str], str]
ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
BIO = {"bio": "Wrote the first program."}


def users_table(module: ModuleType) -> Table:
    """The learner's table that has an `email` column (any table name is fine)."""
    for table in module.Base.metadata.sorted_tables:
        if "email" in table.c and "created_at" in table.c:
            return typing.cast(Table, table)
    raise AssertionError(
        "Base.metadata has no table with both an `email` and a `created_at` column.\n"
        "Expected: the User model of the exercise, mapped on Base (see the lesson)"
    )


def mapped_class(module: ModuleType, table: Table) -> type:
    for mapper in module.Base.registry.mappers:
        if mapper.local_table is table:
            return typing.cast(type, mapper.class_)
    raise AssertionError(f"No class on Base is mapped to the table {table.name!r}.")


@pytest.fixture
async def table(module: ModuleType, engine: AsyncEngine) -> Table:
    """The learner's users table, created on the check's fresh database."""
    await create_schema(engine, module.Base.metadata)
    return users_table(module)


def insert_sql(table: Table, columns: list[str]) -> Any:
    names = ", ".join(columns)
    values = ", ".join(f":{c}" for c in columns)
    return text(f'INSERT INTO "{table.name}" ({names}) VALUES ({values})')  # noqa: S608


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


def lookup_plan(conn: Connection, table: Table) -> str:
    query = f"SELECT id FROM \"{table.name}\" WHERE email = 'ada@example.com'"  # noqa: S608
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text(f"EXPLAIN QUERY PLAN {query}")).all()
        return " / ".join(str(row[-1]) for row in rows)
    if conn.dialect.name == "postgresql":
        # On a tiny table PostgreSQL prefers a sequential scan anyway; forbid it to see
        # whether an index could serve the lookup at all.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("SET LOCAL jit = off"))
        rows = conn.execute(text(f"EXPLAIN {query}")).all()
        return " / ".join(str(row[0]) for row in rows)
    pytest.skip(f"no query-plan check for {conn.dialect.name}")


def uses_index(plan: str) -> bool:
    lowered = plan.lower()
    return ("index" in lowered) and not lowered.startswith(("scan", "seq scan"))


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


def mapped_type(hints: dict[str, Any], name: str) -> Any:
    hint = hints.get(name)
    if typing.get_origin(hint) is not Mapped:
        return None
    return typing.get_args(hint)[0]


def is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, UnionType) and NoneType in typing.get_args(annotation)


async def test_attributes_are_typed(module: ModuleType, table: Table, teach: Teach) -> None:
    model = mapped_class(module, table)
    try:
        hints = typing.get_type_hints(model)
    except NameError as exc:
        raise AssertionError(
            teach(f"The annotations of {model.__name__} do not resolve: {exc}.", "importable types")
        ) from None
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


async def test_create_user_returns_timestamp(
    module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    async with make_client(module.app) as client:
        response = await client.post("/users", json=ADA)
    assert response.status_code == 201, teach(
        f"POST /users answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )
    body = response.json()
    assert body.get("created_at"), teach(
        f"POST /users answered {body}.",
        "created_at filled in (by the database) and read back with `await db.refresh(user)`",
    )
