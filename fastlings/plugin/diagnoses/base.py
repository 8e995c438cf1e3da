"""What every diagnosis shares: the record of one, and helpers for reading what was observed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fastlings.plugin.observe import Observations, Raised

HEADING = "What the app did:"


@dataclass(frozen=True)
class Diagnosis:
    name: str
    cause: str
    """What was observed, in one or two sentences."""
    advice: str
    """What the pattern expects instead."""
    chapter: str | None = None
    """The chapter id whose lesson explains it (shown when the course has that lesson)."""


Rule = Callable[[Observations], list[Diagnosis]]


UNAWAITED = re.compile(r"coroutine '([^']+)' was never awaited")


DB_TEXT = re.compile(
    r"(IntegrityError|OperationalError|UNIQUE constraint failed|NOT NULL constraint failed|"
    r"duplicate key value|violates (?:unique|foreign key|not-null) constraint|sqlite3\.|"
    r"asyncpg\.|psycopg|\[SQL: )"
)


REPR = re.compile(r"<[^<>]{40,}>")


OBJECT_REPR = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")


def _said(raised: Raised, limit: int = 240) -> str:
    """The exception's message for the screen: long object reprs shortened (an object's class
    kept: `<User object>`), then cut."""
    text = REPR.sub("<...>", OBJECT_REPR.sub(r"<\1 object>", raised.message))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _at(raised: Raised) -> str:
    if raised.where is None:
        return ""
    return f" at {raised.where}" + (f": `{raised.line}`" if raised.line else "")
