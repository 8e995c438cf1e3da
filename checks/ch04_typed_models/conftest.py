"""Helpers shared by the chapter 4 checks: the learner's users table, created on the check's
own database, and ways to ask that database about it (raw inserts, query plans, reflection)."""

import typing
from types import ModuleType, NoneType, UnionType
from typing import Any

import pytest
from sqlalchemy import Connection, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped

from fastlings.testing import create_schema, require

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
