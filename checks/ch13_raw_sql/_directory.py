"""Chapter 13 helpers: the seeded directory, searching it, and the SQL each request sends."""

from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import StatementLog, WiredApp

# Edges on purpose: a quote, LIKE's two wildcards and its escape character, a backslash.
NAMES = [
    "Ada Lovelace",
    "Grace Hopper",
    "Conor O'Brien",
    "Alan Turing",
    "Percy 100% Real",
    "snake_case_sam",
    "Back\\slash Bob",
]
SECRET = "sk_live_7Qm2ZkP9xW4v"


async def seed(wired: WiredApp) -> None:
    async with wired.engine.begin() as conn:
        for index, name in enumerate(NAMES, start=1):
            await conn.execute(
                text("INSERT INTO users (id, name) VALUES (:id, :name)"),
                {"id": index, "name": name},
            )
        await conn.execute(
            text("INSERT INTO api_tokens (id, user_id, token) VALUES (1, 1, :token)"),
            {"token": SECRET},
        )


async def get_json(wired: WiredApp, path: str, params: Any) -> tuple[int, Any]:
    response = await wired.client.get(path, params=params)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body


def names_in(body: Any) -> list[Any] | None:
    if not isinstance(body, list):
        return None
    return [item.get("name") for item in body if isinstance(item, dict)]


async def sql_sent(wired: WiredApp, request: Callable[[], Awaitable[Any]]) -> list[str]:
    """The SQL statements run while `request` runs: on the check's engine (sessions handed out
    through get_db) and on any engine of the learner's module (code that bypasses get_db)."""
    engines = [wired.engine] + [
        value for value in vars(wired.module).values() if isinstance(value, AsyncEngine)
    ]
    with ExitStack() as stack:
        logs = [stack.enter_context(StatementLog(engine)) for engine in engines]
        await request()
    return [statement for log in logs for statement in log.statements]


class SqlRun:
    """`with SqlRun(wired) as ran:` keeps each statement the app runs inside the block together
    with the values bound to it (on the check's engine and the module's own), so that a wrong
    answer can show the SQL that produced it."""

    def __init__(self, wired: WiredApp) -> None:
        self.engines = [wired.engine.sync_engine] + [
            value.sync_engine
            for value in vars(wired.module).values()
            if isinstance(value, AsyncEngine) and value is not wired.engine
        ]
        self.runs: list[tuple[str, Any]] = []

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        self.runs.append((statement, parameters))

    def __enter__(self) -> "SqlRun":
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._record)

    def shown(self) -> str:
        """The last query on `users`, as the database got it: its SQL text and bound values."""
        queries = [(s, p) for s, p in self.runs if "users" in s.lower()]
        if not queries:
            return ""
        statement, parameters = queries[-1]
        values = _literal(list(parameters.values()) if isinstance(parameters, dict) else parameters)
        bound = f"; the values bound to it: {values[1:-1]}" if parameters else "; no bound values"
        return f"\nThe SQL it ran: {' '.join(statement.split())}{bound}."


def _literal(value: Any) -> str:
    """A value as the database gets it: strings between quotes, backslashes as they are."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    return repr(value)


async def get_json_ran(wired: WiredApp, path: str, params: Any) -> tuple[int, Any, str]:
    """`get_json`, and the SQL the app ran for it (`SqlRun.shown`)."""
    with SqlRun(wired) as ran:
        status, body = await get_json(wired, path, params)
    return status, body, ran.shown()
