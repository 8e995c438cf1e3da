"""A fresh database for every check.

The default is SQLite through aiosqlite, in a file on a RAM-backed folder (`/dev/shm` when the
machine has one): it lives in memory like `:memory:`, yet every connection of a pool sees the same
database, so checks can observe pools, concurrent sessions and data written by the app.

Any other URL is used as the server to create a throw-away database on; PostgreSQL
(`postgresql+asyncpg://...`) gets a database per check, created and dropped here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastlings.scratch import scratch_dir

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

SHM = Path(os.environ.get("FASTLINGS_RAM_DIR", "/dev/shm"))  # noqa: S108
"""Where each check's SQLite file goes: a private folder per check inside it (RAM on Linux)."""


def describe(url: str | None) -> str:
    if url is None:
        where = "RAM" if scratch_base() == SHM else "a temporary folder"
        return f"sqlite+aiosqlite, a fresh file in {where} per check"
    scheme = url.split("://", 1)[0]
    return f"{scheme}, a fresh database per check"


def scratch_base() -> Path | None:
    """Where scratch files for checks go: the RAM folder when writable, else None (the system's
    temporary folder)."""
    return SHM if SHM.is_dir() and _writable(SHM) else None


def _writable(path: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=path):
            return True
    except OSError:
        return False


async def dispose(engines: Iterable[AsyncEngine]) -> None:
    """Collect garbage while the check's event loop still runs, then dispose of `engines`.

    A session the code under check never closed keeps its connection checked out. Left to the
    garbage collector, that connection is finalised at some later moment, after its loop has
    closed, and SQLAlchemy logs the driver's traceback from inside whatever runs then. On CPython
    before 3.11.8 that traceback's `ast.parse`, re-entering one pytest was running, stopped the
    whole run ("AST constructor recursion depth mismatch"). With the libraries frozen out of the
    collector's sight (`options._freeze_heap`), the collection costs about a millisecond."""
    import gc

    gc.collect()
    for engine in list(engines):
        await engine.dispose()


@contextmanager
def fresh_database(base_url: str | None) -> Iterator[str]:
    """Yield the URL of a database that exists only inside the `with` block."""
    if base_url is None or base_url.startswith("sqlite"):
        folder = scratch_dir("db", scratch_base())
        try:
            yield f"sqlite+aiosqlite:///{folder / 'check.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    elif base_url.startswith("postgresql"):
        with _fresh_postgres(base_url) as url:
            yield url
    else:
        raise ValueError(f"unsupported database URL for checks: {base_url.split('://')[0]}://")


@contextmanager
def _fresh_postgres(base_url: str) -> Iterator[str]:
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    url = make_url(base_url)
    name = f"fastlings_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
