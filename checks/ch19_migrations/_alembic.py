"""Alembic driven from a check: a migrations folder assembled from the learner's module.

A real project keeps `migrations/env.py` and `migrations/versions/*.py`; the course keeps their
contents in the exercise module. `migrations(...)` writes a throw-away folder whose env.py calls
the module's `run_migrations_online()` and whose revision file re-exports the module's
`revision`, `down_revision`, `upgrade` and `downgrade`; further revision files (the history
before the learner's revision) can be added as source text.
"""

import asyncio
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

ENV = """\
import asyncio

from alembic import context

module = context.config.attributes["module"]
returned = module.run_migrations_online()
if asyncio.iscoroutine(returned):  # Alembic would never await it: say so, and close it
    context.config.attributes["unawaited"] = True
    returned.close()
"""
UNAWAITED = (
    "`run_migrations_online()` returned a coroutine, which Alembic never awaits (it calls the "
    "function synchronously), so no migration ran: keep it a plain `def` that drives the "
    "async part with `asyncio.run(...)`"
)

REVISION = """\
from {module} import down_revision, downgrade, revision, upgrade  # noqa: F401
"""

NAMES = {
    "run_migrations_online": "the env.py function Alembic runs: `def run_migrations_online()`",
    "revision": 'the revision id, e.g. `revision = "0001_create_users"`',
    "down_revision": "the revision it follows (`None` for the first)",
    "upgrade": "`def upgrade() -> None` with the revision's operations",
    "downgrade": "`def downgrade() -> None` undoing them",
}


def migrations(
    tmp_path: Path, module: ModuleType, db_url: str, history: dict[str, str] | None = None
) -> Config:
    """An in-memory Alembic Config on `db_url` whose scripts come from `module`."""
    missing = [name for name in NAMES if not hasattr(module, name)]
    if missing:
        short = module.__name__.rsplit(".", 1)[-1]
        pytest.fail(
            f"{short}.py defines no {', '.join(missing)}.\n"
            + "\n".join(f"Expected: {NAMES[name]}" for name in missing),
            pytrace=False,
        )
    root = tmp_path / "migrations"
    versions = root / "versions"
    versions.mkdir(parents=True)
    (root / "env.py").write_text(ENV, encoding="utf-8")
    (versions / "learner_revision.py").write_text(
        REVISION.format(module=module.__name__), encoding="utf-8"
    )
    for name, source in (history or {}).items():
        (versions / f"{name}.py").write_text(source, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(root))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    config.attributes["module"] = module
    return config


def run(step: Callable[..., None], config: Config, *args: Any) -> str | None:
    """Run an Alembic command; None when it worked, else the error in one or two lines (with
    the line of the learner's module it was raised from)."""
    try:
        step(config, *args)
    except Exception as exc:  # the learner's migrations may fail in any way
        text = str(exc).strip().splitlines()
        first = text[0][:300] if text else ""
        return f"{type(exc).__name__}{_raised_at(exc, config)}: {first}"
    if config.attributes.pop("unawaited", False):
        return UNAWAITED
    return None


def _raised_at(exc: BaseException, config: Config) -> str:
    """` at <file>:<line>: `<source>`` for the innermost frame in the learner's module."""
    source = getattr(config.attributes.get("module"), "__file__", None)
    if source is None:
        return ""
    target = Path(source).resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).resolve() == target:
            try:
                shown = target.relative_to(Path.cwd()).as_posix()
            except ValueError:
                shown = target.name
            line = f" `{frame.line.strip()}`" if frame.line else ""
            return f" (raised at {shown}:{frame.lineno}:{line})"
    return ""


def upgrade(config: Config, target: str = "head") -> str | None:
    return run(command.upgrade, config, target)


def downgrade(config: Config, target: str = "base") -> str | None:
    return run(command.downgrade, config, target)


def _inspect(db_url: str, work: Callable[[Connection], Any]) -> Any:
    async def go() -> Any:
        engine = create_async_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def tables(db_url: str) -> set[str]:
    """The tables the database holds now (Alembic's own `alembic_version` left out)."""
    names: set[str] = _inspect(db_url, lambda c: set(inspect(c).get_table_names()))
    return names - {"alembic_version"}


def columns(db_url: str, table: str) -> list[str]:
    """The column names of `table` as the database holds it now."""
    names: list[str] = _inspect(
        db_url, lambda c: [col["name"] for col in inspect(c).get_columns(table)]
    )
    return names


def schema(db_url: str) -> dict[str, list[str]]:
    """Every table the database holds now (`alembic_version` included) and its column names."""

    def read(conn: Connection) -> dict[str, list[str]]:
        seen = inspect(conn)
        return {t: [c["name"] for c in seen.get_columns(t)] for t in seen.get_table_names()}

    found: dict[str, list[str]] = _inspect(db_url, read)
    return found


def drift(db_url: str, metadata: MetaData) -> list[Any]:
    """How the database differs from the models' metadata, as autogenerate sees it."""
    diffs: list[Any] = _inspect(
        db_url, lambda c: compare_metadata(MigrationContext.configure(c), metadata)
    )
    return diffs


def described(diffs: list[Any], limit: int = 6) -> str:
    shown = [_describe(d) for d in diffs[:limit]]
    more = f" (and {len(diffs) - limit} more)" if len(diffs) > limit else ""
    return "; ".join(shown) + more


def _columns(constraint: Any) -> str:
    names = [c.name for c in getattr(constraint, "columns", [])]
    table = getattr(getattr(constraint, "table", None), "name", "?")
    return f"{table}({', '.join(names)})"


def _describe(diff: Any) -> str:
    """One autogenerate difference in words: what the models have that the database has not."""
    if isinstance(diff, list):  # modify_* entries come grouped per column
        return "; ".join(_describe(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)[:120]
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        where = "missing in the database" if kind == "add_table" else "not in the models"
        return f"table {diff[1].name} {where}"
    if kind in ("add_column", "remove_column"):
        where = "missing in the database" if kind == "add_column" else "not in the models"
        return f"column {diff[2]}.{diff[3].name} {where}"
    if kind in ("add_index", "remove_index"):
        where = "missing in the database" if kind == "add_index" else "not in the models"
        return f"index {diff[1].name} on {_columns(diff[1])} {where}"
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        where = "missing in the database" if kind == "add_fk" else "not in the models"
        target = getattr(fk, "referred_table", None)
        ondelete = f" ON DELETE {fk.ondelete}" if getattr(fk, "ondelete", None) else ""
        return f"foreign key {_columns(fk)} -> {getattr(target, 'name', '?')}{ondelete} {where}"
    if kind in ("add_constraint", "remove_constraint"):
        where = "missing in the database" if kind == "add_constraint" else "not in the models"
        return f"{type(diff[1]).__name__} on {_columns(diff[1])} {where}"
    if kind == "modify_nullable":
        _, _, table, column, _, existing, new = diff
        say = {True: "NULL allowed", False: "NOT NULL"}
        return f"{table}.{column}: {say[existing]} in the database, {say[new]} in the models"
    if kind in ("modify_type", "modify_default", "modify_comment"):
        _, _, table, column, _, existing, new = diff
        return f"{table}.{column}: {kind[7:]} {existing} in the database, {new} in the models"
    return f"{kind} {' '.join(str(x) for x in diff[1:])}"[:160]
