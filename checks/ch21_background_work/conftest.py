"""Tools the chapter 21 checks share: when the response left, and which sessions ran SQL.

- `ResponseClock` is an ASGI middleware put in front of the learner's app: it notes the moment
  the last body message of each response leaves the app. `httpx.ASGITransport` returns only
  once the app has finished, background tasks included, so the client's own timing cannot tell
  the response from the work done after it.
- `SessionUse` listens to SQLAlchemy's `after_begin` session event: every session that starts
  a transaction is recorded, with whether the response had already been sent.
- `Escapes` is an ASGI middleware put in front of the learner's app: it notes each exception
  that leaves the app, and whether the response had already been sent, then lets it go on to
  the server. A job that raises after the 201 ends up there: uvicorn logs it as "Exception in
  ASGI application", and the jobs queued after it do not run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastlings.testing import Teach, WireFactory

MAIL_DELAY = 0.3  # seconds the learner's mail provider sleeps, set through SHOP_MAIL_DELAY
QUICK_MAIL = 0.01
ORDER = {"email": "ada@example.com", "item": "tea \\ pot"}


async def receipts(engine: AsyncEngine) -> list[tuple[int, str]]:
    """(order_id, status) of every stored receipt, read on the check's own connection."""
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT order_id, status FROM receipts ORDER BY id"))
        return [(int(r[0]), str(r[1])) for r in rows]


async def order_and_receipts(
    wire: WireFactory, body: dict[str, Any] = ORDER
) -> tuple[Response, list[tuple[int, str]]]:
    """POST /orders with `body` on a freshly wired app: the response, and the receipts stored
    once the request has finished (the client returns after the background work too)."""
    async with wire() as wired:
        response = await wired.client.post("/orders", json=body)
        return response, await receipts(wired.engine)


async def assert_receipt_lands(wire: WireFactory, teach: Teach, finished: str, why: str) -> None:
    """One order gets its 201 and, once the request has finished, one receipt marked 'sent'.
    `finished` completes "After POST /orders had finished"; `why` follows the expected receipt."""
    response, stored = await order_and_receipts(wire)
    assert response.status_code == 201, teach(
        f"POST /orders {ORDER} answered {response.status_code} {response.text[:200]}.",
        "201 with the stored order",
    )
    order_id = response.json()["id"]
    assert stored == [(order_id, "sent")], teach(
        f"After POST /orders had finished{finished}, the receipts table held {stored}.",
        f"one receipt [({order_id}, 'sent')]{why}",
    )


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
class Escaped:
    error: BaseException
    after_response: bool
    """Whether the response's last body message had been sent when it left the app."""

    def words(self) -> str:
        """What left the app and when: "after the 201 had been sent, MailError: ... left"."""
        when = "after the 201 had been sent" if self.after_response else "during the request"
        return f"{when}, {type(self.error).__name__}: {str(self.error)[:200]} left the app"


class Escapes:
    def __init__(self, app: ASGIApp, seen: list[Escaped]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = False

        async def noting_send(message: Message) -> None:
            nonlocal sent
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                sent = True

        try:
            await self.app(scope, receive, noting_send)
        except Exception as exc:
            self.seen.append(Escaped(exc, sent))
            raise


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
