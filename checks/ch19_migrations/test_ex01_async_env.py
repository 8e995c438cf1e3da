"""Checks for chapter 19, exercise 1: Alembic's env runs on the async driver and knows the models,
and the app works on the database it made.

These checks are plain functions: Alembic's commands are synchronous, and the environment
starts its own event loop with `asyncio.run`, which only works where no loop is running.
"""

from pathlib import Path
from types import ModuleType
from typing import Any

from alembic import command
from alembic.config import Config

from checks.ch19_migrations._alembic import downgrade, migrations, run, tables
from checks.ch19_migrations.conftest import (
    answered,
    schema_seen,
    served,
    upgraded,
    upgraded_to_serve,
)
from fastlings.testing import ClientFactory, Teach

RUNS = (
    "the migrations run: in env.py an AsyncEngine (`async_engine_from_config`), "
    "`async with connectable.connect() as connection`, "
    "`await connection.run_sync(do_run_migrations)`, all inside `asyncio.run(...)`"
)
ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}


def upgraded_on_async_driver(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach, expected: str | None = None
) -> Config:
    """A fresh database upgraded to head, holding the users table. `expected` says what the
    pattern expects for the first check to upgrade; later checks (None) refer back to it."""
    config = upgraded(
        teach,
        expected or "the migrations run on the async driver (see the first check)",
        migrations(tmp_path, module, db_url),
    )
    found = tables(db_url)
    assert found == {"users"}, teach(
        f"After `alembic upgrade head`, the database holds the tables {sorted(found)}"
        + (
            "."
            if expected
            else ": the migrations did not run (an `async def run_migrations_online` is never "
            "awaited by Alembic, for one)."
        ),
        "['users'], created by revision 0001" + ("" if expected else " (see the first check)"),
    )
    return config


def test_app_serves_on_the_migrated_database(
    module: ModuleType,
    db_url: str,
    tmp_path: Path,
    make_client: ClientFactory,
    lesson: str,
    teach: Teach,
) -> None:
    note = upgraded_to_serve(teach, RUNS, migrations(tmp_path, module, db_url))

    async def requests(client: Any) -> str | None:
        created = await client.post("/users", json=ADA)
        body = created.json() if created.status_code == 201 else {}
        if created.status_code != 201 or {k: body.get(k) for k in ADA} != ADA:
            return answered(created)
        read = await client.get(f"/users/{body['id']}")
        if read.status_code != 200 or read.json() != body:
            return f"POST /users answered 201: {created.text}; then " + answered(read)
        return None

    failure = served(make_client, module, lesson, requests)
    assert failure is None, teach(
        f"{failure}. {schema_seen(db_url, note)}",
        "POST /users answers 201 with the user and GET /users/{id} 200 with the same fields, "
        "on a database made only by `alembic upgrade head`: env.py runs revision 0001 on the "
        "configured URL and commits it, so the app finds the `users` table its model maps",
    )


def test_upgrade_and_downgrade_run_on_the_async_driver(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = upgraded_on_async_driver(module, db_url, tmp_path, teach, RUNS)
    failed = downgrade(config)
    assert failed is None, teach(
        f"`alembic downgrade base` failed: {failed}.", "the downgrade runs on the same env"
    )
    left = tables(db_url)
    assert not left, teach(
        f"After `alembic downgrade base`, the database still holds {sorted(left)}.",
        "no tables: every revision undone",
    )


def test_autogenerate_compares_with_the_models(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = upgraded_on_async_driver(module, db_url, tmp_path, teach)
    failed = run(command.check, config)
    assert failed is None, teach(
        f"`alembic check` after the upgrade failed: {failed}",
        "no difference found: `target_metadata = Base.metadata` in env.py, so autogenerate "
        "compares the database with the models (None means it has nothing to compare)",
    )
