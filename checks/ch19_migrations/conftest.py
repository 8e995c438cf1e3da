"""Checks shared by the chapter 19 checks files (here, so pytest rewrites their asserts like
those of the checks themselves); the Alembic plumbing is in `_alembic.py`."""

import asyncio
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

from alembic.config import Config
from sqlalchemy import MetaData

from checks.ch19_migrations._alembic import UNAWAITED, described, drift, schema, upgrade
from fastlings.testing import ClientFactory, Teach, require

UPGRADE_FAILED = "`alembic upgrade head` on a fresh database failed: {failed}."
MISSING_GREENLET = (
    " A synchronous Engine on an async driver (aiosqlite, asyncpg) fails like this: "
    "`engine_from_config` + `with connectable.connect()` in env.py."
)


def upgraded(
    teach: Teach, expected: str, config: Config, *, observed: str = UPGRADE_FAILED
) -> Config:
    """`config` after `alembic upgrade head`, or a failed check: `observed` (formatted with the
    error as `failed`) says what happened, `expected` what the pattern expects."""
    failed = upgrade(config)
    _assert_ran(failed, teach, expected, observed)
    return config


def upgraded_to_serve(
    teach: Teach, expected: str, config: Config, *, observed: str = UPGRADE_FAILED
) -> str:
    """`alembic upgrade head` before the app is served: an Alembic error fails the check as in
    `upgraded`; an env whose `run_migrations_online()` returned a coroutine (no migration ran,
    no error either) is not a failure yet: the app is served on what it left, and the note
    returned ("" otherwise) goes into what the check says it saw."""
    failed = upgrade(config)
    if failed == UNAWAITED:
        return f" {UNAWAITED}."
    _assert_ran(failed, teach, expected, observed)
    return ""


def _assert_ran(failed: str | None, teach: Teach, expected: str, observed: str) -> None:
    why = MISSING_GREENLET if "MissingGreenlet" in (failed or "") else ""
    assert failed is None, teach(observed.format(failed=failed) + why, expected)


def schema_seen(db_url: str, note: str = "") -> str:
    """What the database holds after the upgrade, in words: its tables and their columns, and
    whether Alembic recorded a revision in it (its `alembic_version` table)."""
    found = schema(db_url)
    recorded = found.pop("alembic_version", None) is not None
    said = f"After `alembic upgrade head`, the database holds the tables {sorted(found)}"
    said += "".join(f"; {name} has the columns {found[name]}" for name in sorted(found))
    if not recorded:
        said += "; it has no `alembic_version` table: no revision was recorded in it"
    return said + "." + note


def served(
    make_client: ClientFactory,
    module: ModuleType,
    lesson: str,
    requests: Callable[[Any], Awaitable[Any]],
) -> Any:
    """`await requests(client)` on the module's app (its lifespan run), in an event loop of
    its own: the checks of this chapter are plain functions, since Alembic's env starts its
    own loop with `asyncio.run`. The module's engine is disposed inside that loop."""
    app = require(module, "app", "the FastAPI application as a top-level `app`", lesson)

    async def go() -> Any:
        try:
            async with make_client(app) as client:
                return await requests(client)
        finally:
            engine = getattr(module, "engine", None)
            if engine is not None and hasattr(engine, "dispose"):
                await engine.dispose()

    return asyncio.run(go())


def answered(response: Any) -> str:
    """`METHOD /path answered <status>: <body>` for a message."""
    body = " ".join(response.text.split())
    body = body if len(body) <= 200 else body[:197] + "..."
    request = response.request
    return f"{request.method} {request.url.path} answered {response.status_code}: {body}"


def assert_no_drift(db_url: str, metadata: MetaData, teach: Teach, expected: str) -> None:
    """After the upgrade, autogenerate finds no difference between the database and `metadata`."""
    diffs = drift(db_url, metadata)
    assert not diffs, teach(
        f"After `alembic upgrade head`, autogenerate finds {len(diffs)} difference(s) between "
        f"the database and the models: {described(diffs)}.",
        expected,
    )
