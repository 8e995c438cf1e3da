"""Checks for chapter 19, exercise 2: a hand-written revision: no drift, a real downgrade, and
an app that leaves the schema to Alembic."""

import asyncio
from pathlib import Path
from types import ModuleType

from checks.ch19_migrations._alembic import (
    described,
    downgrade,
    drift,
    migrations,
    tables,
    upgrade,
)
from fastlings.testing import Teach, require

ALL = {"users", "items"}


def test_upgrade_matches_the_models(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = migrations(tmp_path, module, db_url)
    failed = upgrade(config)
    assert failed is None, teach(
        f"`alembic upgrade head` on a fresh database failed: {failed}.",
        "revision 0001 runs on an empty database",
    )
    diffs = drift(db_url, module.Base.metadata)
    assert not diffs, teach(
        f"After `alembic upgrade head`, autogenerate finds {len(diffs)} difference(s) between "
        f"the database and the models: {described(diffs)}.",
        "none: the revision creates what the models declare (nullable=False, "
        "sa.UniqueConstraint, sa.ForeignKeyConstraint(..., ondelete=...), op.create_index)",
    )


def test_downgrade_undoes_the_upgrade(
    module: ModuleType, db_url: str, tmp_path: Path, teach: Teach
) -> None:
    config = migrations(tmp_path, module, db_url)
    failed = upgrade(config)
    assert failed is None, teach(
        f"`alembic upgrade head` on a fresh database failed: {failed}.",
        "revision 0001 runs on an empty database",
    )
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
