"""Tools the chapter 21 checks share: when the response left, and which sessions ran SQL.

- `ResponseClock` is an ASGI middleware put in front of the learner's app: it notes the moment
  the last body message of each response leaves the app. `httpx.ASGITransport` returns only
  once the app has finished, background tasks included, so the client's own timing cannot tell
  the response from the work done after it.
- `SessionUse` listens to SQLAlchemy's `after_begin` session event: every session that starts
  a transaction is recorded, with whether the response had already been sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAIL_DELAY = 0.3  # seconds the learner's mail provider sleeps, set through SHOP_MAIL_DELAY
QUICK_MAIL = 0.01
ORDER = {"email": "ada@example.com", "item": "tea \\ pot"}


async def receipts(engine: AsyncEngine) -> list[tuple[int, str]]:
    """(order_id, status) of every stored receipt, read on the check's own connection."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT order_id, status FROM receipts ORDER BY id"))
        return [(int(r[0]), str(r[1])) for r in rows]


@dataclass
class Clock:
    sent_at: list[float] = field(default_factory=list)
    """perf_counter() when each response's last body message left the app."""

    @property
    def sent(self) -> bool:
        return bool(self.sent_at)


class ResponseClock:
    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.clock.sent_at.append(time.perf_counter())

        await self.app(scope, receive, timed_send)


@dataclass
class SessionUse:
    clock: Clock
    began: list[tuple[Session, bool]] = field(default_factory=list)
    """(session, response already sent) for every transaction a session began."""

    def _record(self, session: Session, transaction: Any, connection: Any) -> None:
        self.began.append((session, self.clock.sent))

    def after_response(self) -> list[Session]:
        return [session for session, sent in self.began if sent]


@pytest.fixture
def mail_delay(monkeypatch: pytest.MonkeyPatch) -> float:
    """The mail provider's delay, through the environment the learner's settings read."""
    monkeypatch.setenv("SHOP_MAIL_DELAY", str(MAIL_DELAY))
    return MAIL_DELAY


@pytest.fixture
def quick_mail(monkeypatch: pytest.MonkeyPatch) -> float:
    """A fast mail provider, for checks that do not time anything."""
    monkeypatch.setenv("SHOP_MAIL_DELAY", str(QUICK_MAIL))
    return QUICK_MAIL


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session_use(clock: Clock) -> Iterator[SessionUse]:
    use = SessionUse(clock)
    event.listen(Session, "after_begin", use._record)
    try:
        yield use
    finally:
        event.remove(Session, "after_begin", use._record)
