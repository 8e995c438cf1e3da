"""The small public API that checks share. Learners never import this module.

A checks file needs three kinds of thing, and all of them come from here or from the plugin's
fixtures (see `fastlings/plugin.py`):

- types: `Teach` (the `teach` fixture's message builder), `ClientFactory` (the `make_client`
  fixture), `WiredApp` and `WireFactory` (the `wired` and `wire` fixtures);
- wiring: `create_schema`, `override_sessions`, `require`, `listening` (SQLAlchemy event
  listeners for the length of a block);
- requests: `WiredApp.send` (the path used and the answer), `unexpected_answers` (a table of
  bodies, and those not answered with the expected status), `body_of` (the JSON body, or the
  text), `expecting` (marks the error status a request is meant to get, so it is not diagnosed),
  `UNANSWERED_HEADER` (on the 500 the client makes when the app returned without a response);
- reading failures: `first_error` (the first error a validation exception wraps);
- reading the app: `route_path`, `find_operation`, `resolve_ref`, `json_schema_of`,
  `success_schema`, `StatementLog`;
- reading the database: `fetch_rows` (the rows a query returns, read on the check's engine);
- services (in `fastlings.check_services`, imported only by the checks that need one):
  `serve_rates`, a real exchange-rates service (`RatesService`) on 127.0.0.1.

Chapter-specific helpers live in `checks/<chapter>/conftest.py` or `checks/<chapter>/_*.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastlings.plugin.openapi import find_operation, json_schema_of, resolve_ref, success_schema
from fastlings.plugin.serving import UNANSWERED_HEADER

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient, Response
    from sqlalchemy import MetaData
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

__all__ = [
    "UNANSWERED_HEADER",
    "ClientFactory",
    "StatementLog",
    "Teach",
    "WireFactory",
    "WiredApp",
    "body_of",
    "create_schema",
    "expecting",
    "fetch_rows",
    "find_operation",
    "first_error",
    "json_schema_of",
    "listening",
    "override_sessions",
    "require",
    "resolve_ref",
    "route_path",
    "run_db_server",
    "run_target",
    "success_schema",
    "unexpected_answers",
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

    async def send(self, method: str, prefix: str, **kwargs: Any) -> tuple[str, Response]:
        """Send `method` to `prefix` or `prefix/` (whichever the app declares); returns the path
        used, for the failure message, and the response. `kwargs` go to httpx (`json=...`)."""
        path = self.path(method, prefix)
        return path, await self.client.request(method.upper(), path, **kwargs)


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


def first_error(exc: BaseException) -> dict[str, Any] | None:
    """The first error a validation exception wraps (`exc.errors()[0]`, with `loc` and `msg`,
    as pydantic's and FastAPI's validation errors give it); None for any other exception."""
    errors = getattr(exc, "errors", None)
    found = errors() if callable(errors) else None
    if isinstance(found, list | tuple) and found and isinstance(found[0], dict):
        return found[0]
    return None


def body_of(response: Response) -> Any:
    """The response's JSON body, or its text when the body is not JSON (for failure messages)."""
    try:
        return response.json()
    except ValueError:
        return response.text


def expecting(status: int) -> dict[str, Any]:
    """httpx request extensions that mark `status` as the answer the check asks for (an unknown
    path's 404, a refused origin's 400): such an answer is not diagnosed as the app's mistake.
    `await client.get("/no/such/path", extensions=expecting(404))`."""
    from fastlings.plugin.serving import EXPECTED_STATUS

    return {EXPECTED_STATUS: status}


async def unexpected_answers(
    wired: WiredApp, method: str, path: str, cases: Iterable[tuple[Any, str]], status: int
) -> list[tuple[Any, str, Response]]:
    """Send each `(json_body, what)` case to `path`, in order; returns `(body, what, response)`
    for every case not answered with `status` (an empty list: all answered as expected)."""
    wrong = []
    for body, what in cases:
        # the answers it wants are no failure's cause
        response = await wired.client.request(
            method.upper(), path, json=body, extensions=expecting(status)
        )
        if response.status_code != status:
            wrong.append((body, what, response))
    return wrong


async def fetch_rows(
    engine: AsyncEngine, query: str, params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows `query` (raw SQL) returns on the check's database, as plain tuples: what the
    app really stored, read outside its sessions."""
    from sqlalchemy import text

    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(query), params or {})]


@contextmanager
def listening(*listeners: tuple[Any, str, Callable[..., Any]]) -> Iterator[None]:
    """`with listening((Engine, "commit", on_commit), ...):` SQLAlchemy event listeners, each
    `(target, event name, function)`, registered for the block and removed after it, even when
    the block fails."""
    from sqlalchemy import event

    for target, name, function in listeners:
        event.listen(target, name, function)
    try:
        yield
    finally:
        for target, name, function in reversed(listeners):
            event.remove(target, name, function)


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
