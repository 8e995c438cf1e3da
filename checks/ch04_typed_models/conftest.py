"""Helpers shared by the chapter 4 checks: the learner's users table, created on the check's
own database, and ways to ask that database about it (raw inserts, query plans, reflection).

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app. The steps (ex00a-c) and the exercise (ex01) run the same
checks below, each with the lesson's words for its own step.
"""

import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType, NoneType, UnionType
from typing import Any

import pytest
from sqlalchemy import Connection, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped

from fastlings.testing import Teach, WiredApp, create_schema, require

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
BIO = {"bio": "Wrote the first program."}


def users_table(module: ModuleType) -> Table:
    """The learner's table that has an `email` column (any table name is fine)."""
    base = require(module, "Base", "the declarative base class `Base`")
    for table in base.metadata.sorted_tables:
        if "email" in table.c:
            return typing.cast(Table, table)
    raise AssertionError(
        "Base.metadata has no table with an `email` column.\n"
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


def mapped_type(hints: dict[str, Any], name: str) -> Any:
    hint = hints.get(name)
    if typing.get_origin(hint) is not Mapped:
        return None
    return typing.get_args(hint)[0]


def is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, UnionType) and NoneType in typing.get_args(annotation)


def type_hints(model: type, teach: typing.Callable[[str, str], str]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(model)
    except NameError as exc:
        raise AssertionError(
            teach(f"The annotations of {model.__name__} do not resolve: {exc}.", "importable types")
        ) from None


async def reflected_columns(engine: AsyncEngine, table: Table) -> list[Any]:
    """The columns of `table` as the database reports them (SQLAlchemy's inspector)."""
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: inspect(c).get_columns(table.name))


async def assert_nullability(
    engine: AsyncEngine, table: Table, teach: Teach, *, required: str, optional: str
) -> None:
    """email and name are NOT NULL in the database, bio is nullable. `required` (formatted with
    the column's `name`) and `optional` say what the pattern expects."""
    columns = await reflected_columns(engine, table)
    nullable = {column["name"]: bool(column["nullable"]) for column in columns}
    for name in ("email", "name"):
        assert name in nullable, teach(
            f"In the database, {table.name} has no column {name} (columns: {nullable}).",
            f"a column named {name}: a name given to mapped_column(...) renames the column, "
            "and the app and the checks look it up by that name",
        )
        assert nullable[name] is False, teach(
            f"In the database, {table.name}.{name} accepts NULL (columns: {nullable}).",
            required.format(name=name),
        )
    present = [name for name in ("bio",) if name in nullable]
    assert present and all(nullable[name] for name in present), teach(
        f"In the database, the optional column bio is {'missing' if not present else 'NOT NULL'}"
        f" (columns: {nullable}).",
        optional,
    )


async def assert_typed(
    module: ModuleType,
    table: Table,
    teach: Teach,
    expected: dict[str, type],
    *,
    typed: str,
    optional: str,
) -> None:
    """The mapped class annotates each of `expected` as Mapped[<its type>] and bio as optional;
    `typed` and `optional` say what the pattern expects."""
    model = mapped_class(module, table)
    hints = type_hints(model, teach)
    found = {name: mapped_type(hints, name) for name in (*expected, "bio")}
    *first, last = expected
    assert all(found[name] is kind for name, kind in expected.items()), teach(
        f"{model.__name__} annotates {', '.join(first)} and {last} as "
        f"{[str(hints.get(n, 'nothing')) for n in expected]}.",
        typed,
    )
    assert is_optional(found["bio"]), teach(
        f"{model.__name__}.bio is annotated as {hints.get('bio', 'nothing')}.", optional
    )


async def assert_database_fills_created_at(
    engine: AsyncEngine, table: Table, teach: Teach, row: dict[str, Any], *, refused: str, null: str
) -> None:
    """A raw INSERT of `row` (created_at left out) succeeds and the database fills created_at;
    `refused` and `null` say what the pattern expects when the insert fails or stores NULL."""
    columns = ", ".join(row)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert_sql(table, list(row)), row)
    except IntegrityError as exc:
        raise AssertionError(
            teach(
                f"A raw SQL `INSERT INTO {table.name} ({columns})` was refused by the "
                f"database: {exc.orig}. The table has no DEFAULT for the columns left out.",
                refused,
            )
        ) from None
    async with engine.connect() as conn:
        stamp = (await conn.execute(text(f'SELECT created_at FROM "{table.name}"'))).scalar()  # noqa: S608
    assert stamp is not None, teach(
        f"A raw SQL `INSERT INTO {table.name} ({columns})` stored created_at = NULL: the "
        "default lives in Python (default=... or insert_default=...), so only ORM inserts get "
        "one.",
        null,
    )


async def assert_default_is_computed(
    engine: AsyncEngine, table: Table, teach: Teach, expected: str
) -> None:
    """The database's DEFAULT for created_at, when there is one, is an expression it computes
    at each insert, not a quoted constant."""
    columns = await reflected_columns(engine, table)
    default = next((c.get("default") for c in columns if c["name"] == "created_at"), None)
    constant = isinstance(default, str) and default.lstrip("(").startswith("'")
    assert not constant, teach(
        f"The database's DEFAULT for {table.name}.created_at is the constant {default}: a "
        "string given to server_default is stored as that text, so every row inserted "
        "without a created_at gets the same value.",
        expected,
    )


async def assert_duplicate_email_rejected(
    engine: AsyncEngine, table: Table, teach: Teach, first: dict[str, Any], expected: str
) -> None:
    """Inserting `first`, then the same email under another name, raises an IntegrityError."""
    sql = insert_sql(table, list(first))
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
        f"{first['email']!r}: nothing in the table makes email unique.",
        expected,
    )


async def assert_lookup_uses_an_index(
    engine: AsyncEngine, table: Table, teach: Teach, expected: str
) -> None:
    async with engine.begin() as conn:
        plan = await conn.run_sync(lookup_plan, table)
    assert uses_index(plan), teach(
        f"The database plans `SELECT ... WHERE email = ...` as: {plan}. Every log-in reads "
        "the whole table.",
        expected,
    )


async def assert_create_still_works(wired: WiredApp, teach: Teach, body: dict[str, Any]) -> None:
    path, response = await wired.send("post", "/users", json=body)
    assert response.status_code == 201 and response.json().get("email") == body["email"], teach(
        f"POST {path} answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )


async def assert_create_returns_timestamp(wired: WiredApp, teach: Teach) -> None:
    path, response = await wired.send("post", "/users", json=ADA)
    assert response.status_code == 201, teach(
        f"POST {path} answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )
    value = response.json().get("created_at")
    assert isinstance(value, str) and datetime.fromisoformat(value), teach(
        f"POST {path} answered {response.json()}.",
        "created_at filled in (by the database) and read back with `await db.refresh(user)`",
    )


# -- the checks, once: each step's checks file picks the ones it runs, in its own words ---------

Check = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Wording:
    """What the pattern expects, in one step's words: the steps (ex00a-c) name the idea, the
    exercise (ex01) names the API."""

    not_null: str
    """For a required column that accepts NULL; formatted with the column's `name`."""
    nullable: str
    typed: str
    bio_typed: str
    no_default: str
    """For a raw INSERT without created_at that the database refused."""
    python_default: str
    """For a raw INSERT that stored created_at = NULL."""
    unique: str
    index: str
    computed: str
    """For a DEFAULT that is a constant (a string given to server_default)."""


STEP = Wording(
    not_null="a required type for {name} (Mapped[...] without `| None`): the column is NOT NULL",
    nullable="an optional type for bio (`| None` in its Mapped[...]): the column is then nullable",
    typed="typed attributes: Mapped[int] for id, Mapped[str] for email and name",
    bio_typed="an optional type inside Mapped[...] for bio: the value may be missing",
    no_default="created_at gets its value from the database: a server-side default, part of "
    "the table itself",
    python_default="a DEFAULT in the table itself (a server-side default), not one in Python",
    unique="an IntegrityError from the database: a unique constraint (or unique index) on email",
    index="an index on email, so the lookup reads the index instead of every row",
    computed="a DEFAULT the database computes at each insert: an SQL expression such as "
    "sqlalchemy.func.now(), not a string",
)
EXERCISE = Wording(
    not_null="{name}: Mapped[str] = mapped_column(...): without `| None` the column is NOT NULL",
    nullable="bio: Mapped[str | None] = mapped_column(Text): `| None` makes the column nullable",
    typed="typed attributes: email: Mapped[str], name: Mapped[str], created_at: Mapped[datetime]",
    bio_typed="bio: Mapped[str | None]: the type says the value may be missing",
    no_default="created_at gets its value from the database: "
    "mapped_column(DateTime(timezone=True), server_default=func.now())",
    python_default="a DEFAULT in the table itself: server_default=func.now()",
    unique="an IntegrityError from a unique constraint: mapped_column(String(255), unique=True, "
    "index=True)",
    index="an index on email: mapped_column(String(255), unique=True, index=True) creates a "
    "unique index",
    computed="server_default=func.now(): an SQL expression the database runs at each "
    "insert; a string is stored as a constant",
)


def nullability_check(words: Wording) -> Check:
    """email and name NOT NULL in the database, bio nullable."""

    async def check(engine: AsyncEngine, table: Table, teach: Teach) -> None:
        await assert_nullability(
            engine, table, teach, required=words.not_null, optional=words.nullable
        )

    return check


def typed_check(words: Wording, expected: dict[str, type]) -> Check:
    """The mapped class annotates `expected` as Mapped[<type>], and bio as optional."""

    async def check(module: ModuleType, table: Table, teach: Teach) -> None:
        await assert_typed(
            module, table, teach, expected, typed=words.typed, optional=words.bio_typed
        )

    return check


def server_default_check(words: Wording, row: dict[str, Any]) -> Check:
    """A raw INSERT of `row` (no created_at) works, and the database fills created_at."""

    async def check(engine: AsyncEngine, table: Table, teach: Teach) -> None:
        await assert_database_fills_created_at(
            engine, table, teach, row, refused=words.no_default, null=words.python_default
        )

    return check


def computed_default_check(words: Wording) -> Check:
    """The DEFAULT of created_at is computed by the database, not a constant."""

    async def check(engine: AsyncEngine, table: Table, teach: Teach) -> None:
        await assert_default_is_computed(engine, table, teach, words.computed)

    return check


def unique_email_check(words: Wording, first: dict[str, Any]) -> Check:
    """A second row with the email of `first` is refused by the database."""

    async def check(engine: AsyncEngine, table: Table, teach: Teach) -> None:
        await assert_duplicate_email_rejected(engine, table, teach, first, words.unique)

    return check


def email_index_check(words: Wording) -> Check:
    """The database plans the lookup by email through an index."""

    async def check(engine: AsyncEngine, table: Table, teach: Teach) -> None:
        await assert_lookup_uses_an_index(engine, table, teach, words.index)

    return check


def create_still_works_check(body: dict[str, Any]) -> Check:
    """POST /users with `body` still answers 201 with the new user."""

    async def check(wired: WiredApp, teach: Teach) -> None:
        await assert_create_still_works(wired, teach, body)

    return check


async def create_returns_timestamp_check(wired: WiredApp, teach: Teach) -> None:
    """POST /users answers 201 with created_at, filled in by the database."""
    await assert_create_returns_timestamp(wired, teach)
