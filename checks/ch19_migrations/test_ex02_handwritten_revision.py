"""Checks for chapter 19, exercise 2: a hand-written revision: the app works on the database it
makes, no drift, a real downgrade, and an app that leaves the schema to Alembic."""

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

from checks.ch19_migrations._alembic import downgrade, migrations, tables, upgrade
from checks.ch19_migrations.conftest import (
    answered,
    assert_no_drift,
    schema_seen,
    served,
    upgraded,
    upgraded_to_serve,
)
from fastlings.testing import ClientFactory, Teach, require

ALL = {"users", "items"}
FRESH = "revision 0001 runs on an empty database"
ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
ITEM = {"title": "Difference engine notes"}


def test_app_serves_on_the_migrated_database(
    module: ModuleType,
    db_url: str,
    tmp_path: Path,
    make_client: ClientFactory,
    lesson: str,
    teach: Teach,
) -> None:
    note = upgraded_to_serve(teach, FRESH, migrations(tmp_path, module, db_url))

    async def requests(client: Any) -> str | None:
        user = await client.post("/users", json=ADA)
        if user.status_code != 201:
            return answered(user)
        owner = user.json()["id"]
        item = await client.post(f"/users/{owner}/items", json=ITEM)
        wanted = {**ITEM, "owner_id": owner}
        if item.status_code != 201 or {k: item.json().get(k) for k in wanted} != wanted:
            return "POST /users answered 201; then " + answered(item)
        listed = await client.get("/items")
        if listed.status_code != 200 or listed.json() != [item.json()]:
            return f"POST /users and POST /users/{owner}/items answered 201; then " + answered(
                listed
            )
        return None

    failure = served(make_client, module, lesson, requests)
    assert failure is None, teach(
        f"{failure}. {schema_seen(db_url, note)}",
        "a user and an item created (201) and the item listed (200) on a database made only "
        "by `alembic upgrade head`: revision 0001 creates the tables and columns the models "
        "map, under the models' names (`users`, `items`, `owner_id`, `title`)",
    )


def test_upgrade_matches_the_models(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    upgraded(teach, FRESH, migrations(tmp_path, module, db_url))
    assert_no_drift(
        db_url,
        module.Base.metadata,
        teach,
        "none: the revision creates what the models declare (nullable=False, "
        "sa.UniqueConstraint, sa.ForeignKeyConstraint(..., ondelete=...), op.create_index)",
    )


def test_downgrade_undoes_the_upgrade(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = upgraded(teach, FRESH, migrations(tmp_path, module, db_url))
    failed = downgrade(config)
    left = tables(db_url)
    assert failed is None and not left, teach(
        "`alembic downgrade base` "
        + (f"failed: {failed}" if failed else "reported success")
        + f", and the database holds the tables {sorted(left)}.",
        "no tables left: downgrade() drops what upgrade() created, in reverse order (the "
        "index, then items, which refers to users, then users)",
    )
    failed = upgrade(config)
    assert failed is None, teach(
        f"`alembic upgrade head` after the downgrade failed: {failed}.",
        "upgrade, downgrade, upgrade again: a revision can be applied again once undone",
    )


def test_app_leaves_the_schema_to_migrations(
    module: ModuleType, db_url: str, tmp_path: Path, lesson: str, teach: Teach
) -> None:
    app = require(module, "app", "the FastAPI application as a top-level `app`", lesson)

    async def start_and_stop() -> None:
        async with app.router.lifespan_context(app):
            pass
        await module.engine.dispose()

    asyncio.run(start_and_stop())
    made = tables(db_url)
    config = migrations(tmp_path, module, db_url)
    failed = upgrade(config)
    assert failed is None and not made - ALL, teach(
        f"The app started and stopped once on a fresh database, which then held the tables "
        f"{sorted(made)}; `alembic upgrade head` then "
        + (f"failed: {failed}." if failed else "worked."),
        "the app starts without creating tables (no `Base.metadata.create_all` in the "
        "lifespan): with migrations, `alembic upgrade head` makes the schema",
    )
    assert not made, teach(
        f"Starting the app created the tables {sorted(made)} on a fresh database.",
        "the app starts without touching the schema: Alembic makes it",
    )
