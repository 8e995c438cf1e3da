"""Checks for chapter 19, exercise 1: Alembic's env runs on the async driver and knows the models.

These checks are plain functions: Alembic's commands are synchronous, and the environment
starts its own event loop with `asyncio.run`, which only works where no loop is running.
"""

from pathlib import Path
from types import ModuleType

from alembic import command

from checks.ch19_migrations._alembic import downgrade, migrations, run, tables, upgrade
from fastlings.testing import Teach

MISSING_GREENLET = (
    " A synchronous Engine on an async driver (aiosqlite, asyncpg) fails like this: "
    "`engine_from_config` + `with connectable.connect()` in env.py."
)


def why(error: str) -> str:
    return MISSING_GREENLET if "MissingGreenlet" in error else ""


def test_upgrade_and_downgrade_run_on_the_async_driver(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = migrations(tmp_path, module, db_url)
    failed = upgrade(config)
    assert failed is None, teach(
        f"`alembic upgrade head` on a fresh database failed: {failed}.{why(failed or '')}",
        "the migrations run: in env.py an AsyncEngine (`async_engine_from_config`), "
        "`async with connectable.connect() as connection`, "
        "`await connection.run_sync(do_run_migrations)`, all inside `asyncio.run(...)`",
    )
    found = tables(db_url)
    assert found == {"users"}, teach(
        f"After `alembic upgrade head`, the database holds the tables {sorted(found)}.",
        "['users'], created by revision 0001",
    )
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
    config = migrations(tmp_path, module, db_url)
    failed = upgrade(config)
    assert failed is None, teach(
        f"`alembic upgrade head` on a fresh database failed: {failed}.{why(failed or '')}",
        "the migrations run on the async driver (see the first check)",
    )
    found = tables(db_url)
    assert found == {"users"}, teach(
        f"After `alembic upgrade head`, the database holds the tables {sorted(found)}: the "
        "migrations did not run (an `async def run_migrations_online` is never awaited by "
        "Alembic, for one).",
        "['users'], created by revision 0001 (see the first check)",
    )
    failed = run(command.check, config)
    assert failed is None, teach(
        f"`alembic check` after the upgrade failed: {failed}",
        "no difference found: `target_metadata = Base.metadata` in env.py, so autogenerate "
        "compares the database with the models (None means it has nothing to compare)",
    )
