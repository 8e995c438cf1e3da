"""Checks for chapter 4, step 1: typed attributes whose annotations decide NULL and NOT NULL.

Every check builds the real schema from the learner's `Base.metadata` on the check's own
database, then observes the database (raw SQL inserts, constraint violations, query plans and
the reflected columns) or the app.
"""

from types import ModuleType

from sqlalchemy import Table, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch04_typed_models.conftest import (
    ADA,
    BIO,
    is_optional,
    mapped_class,
    mapped_type,
    type_hints,
)
from fastlings.testing import Teach, WiredApp


async def test_nullability_follows_the_annotations(
    engine: AsyncEngine, table: Table, teach: Teach
) -> None:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns(table.name))
    nullable = {column["name"]: bool(column["nullable"]) for column in columns}
    for name in ("email", "name"):
        assert nullable.get(name) is False, teach(
            f"In the database, {table.name}.{name} accepts NULL (columns: {nullable}).",
            f"a required type for {name} (Mapped[...] without `| None`): the column is NOT NULL",
        )
    optional = [name for name in ("bio",) if name in nullable]
    assert optional and all(nullable[name] for name in optional), teach(
        f"In the database, the optional column bio is {'missing' if not optional else 'NOT NULL'}"
        f" (columns: {nullable}).",
        "an optional type for bio (`| None` in its Mapped[...]): the column is then nullable",
    )


async def test_attributes_are_typed(module: ModuleType, table: Table, teach: Teach) -> None:
    model = mapped_class(module, table)
    hints = type_hints(model, teach)
    expected = {"id": int, "email": str, "name": str}
    found = {name: mapped_type(hints, name) for name in (*expected, "bio")}
    assert all(found[name] is kind for name, kind in expected.items()), teach(
        f"{model.__name__} annotates id, email and name as "
        f"{[str(hints.get(n, 'nothing')) for n in expected]}.",
        "typed attributes: Mapped[int] for id, Mapped[str] for email and name",
    )
    assert is_optional(found["bio"]), teach(
        f"{model.__name__}.bio is annotated as {hints.get('bio', 'nothing')}.",
        "an optional type inside Mapped[...] for bio: the value may be missing",
    )


async def test_create_user_still_works(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json={**ADA, **BIO})
    assert response.status_code == 201 and response.json().get("email") == ADA["email"], teach(
        f"POST {path} answered {response.status_code}: {response.text[:200]}",
        "201 with the new user: the model change must not break the endpoint",
    )
