"""Chapter 13 helpers: the seeded directory, searching it, and the SQL each request sends."""

from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

from sqlalchemy import text
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
