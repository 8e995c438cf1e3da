"""The bookshop's Alembic environment: `alembic init -t async`, pointed at the models."""

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from lessons.examples.ch19_migrations.bookshop_models import Base

config = context.config
if not config.get_main_option("sqlalchemy.url"):  # a caller (a test) may set it first
    url = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./bookshop.db")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))

# What autogenerate and `alembic check` compare the database with.
target_metadata = Base.metadata


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # autogenerate writes batch_alter_table blocks, which SQLite needs
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    connectable = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,  # a migration run needs one connection, once
    )
    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)  # Alembic's sync API, on the async driver
    await connectable.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


if context.is_offline_mode():  # `alembic upgrade --sql` prints the SQL instead
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
