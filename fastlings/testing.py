"""The small public API that checks share. Learners never import this module.

A checks file needs three kinds of thing, and all of them come from here or from the plugin's
fixtures (see `fastlings/plugin.py`):

- types: `Teach` (the `teach` fixture's message builder), `ClientFactory` (the `make_client`
  fixture), `WiredApp` and `WireFactory` (the `wired` and `wire` fixtures);
- wiring: `create_schema`, `override_sessions`, `require`;
- reading the app: `route_path`, `find_operation`, `resolve_ref`, `json_schema_of`,
  `StatementLog`.

Chapter-specific helpers live in `checks/<chapter>/conftest.py` or `checks/<chapter>/_*.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient
    from sqlalchemy import MetaData
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

__all__ = [
    "ClientFactory",
    "StatementLog",
    "Teach",
    "WireFactory",
    "WiredApp",
    "create_schema",
    "find_operation",
    "json_schema_of",
    "override_sessions",
    "require",
    "resolve_ref",
    "route_path",
    "run_db_server",
    "run_target",
]

Teach = Callable[[str, str], str]
"""`teach(observed, expected)`: a failure message that ends with the lesson section to read."""

ClientFactory = Callable[["FastAPI"], AbstractAsyncContextManager["AsyncClient"]]
"""`async with make_client(app) as client:` (lifespan entered, overrides cleared afterwards)."""


@dataclass
class WiredApp:
    """The learner's app wired to the check's database, as the `wired` fixture yields it."""

    module: ModuleType
    app: FastAPI
    client: AsyncClient
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    sessions: list[AsyncSession] = field(default_factory=list)
    """Every session the `get_db` override handed out, in order."""

    def path(self, method: str, prefix: str) -> str:
        """`prefix` or `prefix/`, whichever the app declares for `method` (both are fine)."""
        return route_path(self.app, method, prefix)


WireFactory = Callable[..., AbstractAsyncContextManager[WiredApp]]
"""`async with wire(app=..., metadata=..., dependency=..., override=True) as wired:`"""


def require(module: ModuleType, name: str, what: str, lesson: str | None = None) -> Any:
    """`module.<name>`, or a failed check that says the module must define it."""
    import pytest

    if not hasattr(module, name):
        where = f"  (see {lesson})" if lesson else ""
        pytest.fail(
            f"{module.__name__.rsplit('.', 1)[-1]}.py defines no `{name}`.\n"
            f"Expected: {what}{where}",
            pytrace=False,
        )
    return getattr(module, name)


async def create_schema(engine: AsyncEngine, metadata: MetaData) -> None:
    """Create every table of the learner's metadata on the check's database."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


def override_sessions(
    app: FastAPI,
    dependency: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[AsyncSession]:
    """Make `dependency` yield sessions from the check's own sessionmaker.

    Returns the list of sessions handed out, so a check can tell whether the app really asked
    for its session through `Depends(dependency)`.
    """
    handed_out: list[AsyncSession] = []

    async def override() -> AsyncIterator[AsyncSession]:
        async with sessionmaker() as session:
            handed_out.append(session)
            yield session

    app.dependency_overrides[dependency] = override
    return handed_out


def resolve_ref(
    openapi: dict[str, Any], schema: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """Follow a `$ref` (also inside `allOf`/`anyOf` wrappers) to its component."""
    for wrapper in ("allOf", "anyOf", "oneOf"):
        if wrapper in schema and len(schema[wrapper]) >= 1:
            for option in schema[wrapper]:
                name, found = resolve_ref(openapi, option)
                if name:
                    return name, found
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, openapi.get("components", {}).get("schemas", {}).get(name, {})


def json_schema_of(responses_or_body: dict[str, Any]) -> dict[str, Any]:
    """The application/json schema of an OpenAPI response or request body ({} when none)."""
    content = responses_or_body.get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return schema if isinstance(schema, dict) else {}


def find_operation(
    openapi: dict[str, Any], method: str, prefix: str
) -> tuple[str, dict[str, Any]] | None:
    """The first path equal to `prefix` or `prefix/` that has `method`."""
    for path in (prefix, prefix + "/"):
        operation = openapi.get("paths", {}).get(path, {}).get(method.lower())
        if operation is not None:
            return path, operation
    return None


def route_path(app: FastAPI, method: str, prefix: str) -> str:
    """`prefix` or `prefix/`, whichever `app` declares for `method`; `prefix` when neither."""
    found = find_operation(app.openapi(), method, prefix)
    return found[0] if found else prefix


class StatementLog:
    """The SQL statements an engine runs, counted with SQLAlchemy's `before_cursor_execute`.

    `with StatementLog(engine) as log: ...` then `len(log)` and `log.statements`. Only the
    statements that run inside the `with` block are kept.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self.statements: list[str] = []

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __len__(self) -> int:
        return len(self.statements)

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]

    def __enter__(self) -> StatementLog:
        from sqlalchemy import event

        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._record)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Statements run inside this block (e.g. the check's own seeding) are not kept."""
        kept = len(self.statements)
        try:
            yield
        finally:
            del self.statements[kept:]


def run_target(config: Any) -> str:
    """'exercise' or 'solution' for a module- or session-scoped fixture (`request.config`)."""
    from fastlings.plugin.keys import target_key

    return str(config.stash[target_key])


def run_db_server(config: Any) -> str | None:
    """The `--db-server` URL for a module- or session-scoped fixture (None: SQLite)."""
    from fastlings.plugin.options import db_server

    return db_server(config)
