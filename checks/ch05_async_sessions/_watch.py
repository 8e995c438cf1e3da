"""What the chapter 5 checks watch: every pool, the work each session did, and crashes.

- `PoolWatch` listens on SQLAlchemy's `Pool` class, so it sees every pool of every engine,
  including an engine built per request, not only the module's `engine`.
- `SessionWork` records, per session, the objects it flushed and whether it ran a SELECT: a
  check can tell the session the override handed out was the one that did the work.
- `record_crashes` keeps the exception behind each 500, so a failure can name it.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import Pool

from fastlings.testing import first_error, listening


@dataclass
class PoolWatch:
    """Connections opened, checked out and checked in, across every pool in the process."""

    opened: int = 0
    checkouts: int = 0
    checkins: int = 0
    _stack: ExitStack = field(default_factory=ExitStack, repr=False, compare=False)

    @property
    def held(self) -> int:
        return self.checkouts - self.checkins

    def _connect(self, *args: Any) -> None:
        self.opened += 1

    def _checkout(self, *args: Any) -> None:
        self.checkouts += 1

    def _checkin(self, *args: Any) -> None:
        self.checkins += 1

    def __enter__(self) -> PoolWatch:
        self._stack.enter_context(
            listening(
                (Pool, "connect", self._connect),
                (Pool, "checkout", self._checkout),
                (Pool, "checkin", self._checkin),
            )
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


@dataclass
class SessionWork:
    """Per (sync) session: the mapped classes it flushed as new rows, and its SELECTs."""

    inserted: dict[int, list[type]] = field(default_factory=lambda: defaultdict(list))
    selects: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    _stack: ExitStack = field(default_factory=ExitStack, repr=False, compare=False)

    def _after_flush(self, session: Session, context: UOWTransaction) -> None:
        self.inserted[id(session)].extend(type(obj) for obj in session.new)

    def _do_orm_execute(self, state: ORMExecuteState) -> None:
        if state.is_select:
            self.selects[id(state.session)] += 1

    def __enter__(self) -> SessionWork:
        self._stack.enter_context(
            listening(
                (Session, "after_flush", self._after_flush),
                (Session, "do_orm_execute", self._do_orm_execute),
            )
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def record_crashes(app: FastAPI) -> list[BaseException]:
    """Keep every unhandled exception of `app` (still answered as a plain 500)."""
    crashes: list[BaseException] = []

    async def keep(request: Request, exc: Exception) -> Response:
        crashes.append(exc)
        return PlainTextResponse("Internal Server Error", status_code=500)

    app.add_exception_handler(Exception, keep)
    return crashes


def describe(exc: BaseException) -> str:
    """`Type: first line`; for FastAPI's ResponseValidationError, the first error it wraps
    (MissingGreenlet while reading an expired attribute, for example)."""
    text = str(exc)
    error = first_error(exc)
    if error is not None:
        text = f"{error.get('loc', '')} {error.get('msg', text)}"
    lines = text.strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:240] if lines else ''}"
