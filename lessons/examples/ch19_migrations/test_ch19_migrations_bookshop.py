"""Tests of the chapter 19 worked example: the bookshop's migrations, run by Alembic."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from lessons.examples.ch19_migrations.bookshop_models import Base

HERE = Path(__file__).parent


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bookshop.db'}"


@pytest.fixture
def config(db_url: str) -> Config:
    """The project's alembic.ini, with this test's database (what `-x`/env vars do in a shell)."""
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", db_url)
    return cfg


def on(db_url: str, work: Any) -> Any:
    async def go() -> Any:
        engine = create_async_engine(db_url)
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_upgrade_to_head_matches_the_models(config: Config, db_url: str) -> None:
    command.upgrade(config, "head")

    def diffs(conn: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))

    assert on(db_url, diffs) == []
    command.check(config)  # the same comparison, through env.py's target_metadata


def test_the_reviewed_revision_keeps_the_prices(config: Config, db_url: str) -> None:
    command.upgrade(config, "b0001_create_books")
    insert = (
        "INSERT INTO books (id, isbn, title, price) VALUES (7, '9780140449136', 'Odyssey', 1299)"
    )
    on(db_url, lambda conn: conn.execute(text(insert)))
    command.upgrade(config, "head")
    row = on(db_url, lambda conn: conn.execute(text("SELECT price_cents FROM books")).one())
    assert row == (1299,)
    command.downgrade(config, "b0001_create_books")
    row = on(db_url, lambda conn: conn.execute(text("SELECT price FROM books")).one())
    assert row == (1299,)


def test_downgrade_to_base_leaves_only_alembic_version(config: Config, db_url: str) -> None:
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    names = on(db_url, lambda conn: set(inspect(conn).get_table_names()))
    assert names == {"alembic_version"}
