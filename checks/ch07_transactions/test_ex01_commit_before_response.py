"""Checks for chapter 7, exercise 1: commit before the response, never a 201 for a lost row.

These checks do NOT override `get_db`: the learner's own dependency and its transaction
handling are what is observed. The plugin points `DATABASE_URL` at the check's fresh database,
so the module's engine and the check's engine see the same tables.

A small ASGI middleware stands between the app and the client: when the app sends a 2xx body,
it asks the database, on the check's own connection, whether the id in that body is stored,
at that very moment, before the message goes on to the client.
"""

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastlings.testing import (
    ClientFactory,
    Teach,
    body_of,
    create_schema,
    fetch_rows,
    listening,
    route_path,
)

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
ADA_AGAIN = {"email": "ada@example.com", "name": "Someone Else"}
GRACE = {"email": "grace@example.com", "name": "Grace Hopper"}


@dataclass
class Sent:
    """One response as it left the app: status, the id in its body, whether the database held
    a row with that id when the body was sent, and when the request began and was answered."""

    status: int
    id: Any = None
    stored_when_sent: bool | None = None
    began: float = 0.0
    sent: float = 0.0


@dataclass
class Timeline:
    """When the database saw an INSERT INTO users or a COMMIT, on any engine."""

    events: list[tuple[float, str]] = field(default_factory=list)

    def before_cursor_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO USERS"):
            self.events.append((time.perf_counter(), "INSERT"))

    def commit(self, conn: Any) -> None:
        self.events.append((time.perf_counter(), "COMMIT"))

    def between(self, start: float, end: float) -> list[tuple[float, str]]:
        return [(at, kind) for at, kind in self.events if start <= at < end]


@dataclass
class Witness:
    engine: AsyncEngine
    users: Table
    sent: list[Sent] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)

    def what_happened(self, index: int) -> str:
        """What the database saw for response `index`, before and after it was sent."""
        record = self.sent[index]
        end = self.sent[index + 1].began if index + 1 < len(self.sent) else float("inf")
        before = [kind for _, kind in self.timeline.between(record.began, record.sent)]
        after = [(at, kind) for at, kind in self.timeline.between(record.sent, end)]
        if after:
            late = ", ".join(
                f"{kind} {1000 * (at - record.sent):.0f} ms later" for at, kind in after
            )
            return (
                f"the database saw {', '.join(before) or 'nothing'} before the response was "
                f"sent, and then {late}: that work ran after the response, where its failure "
                "reaches no one (probably code after `yield` in a dependency, which runs "
                "after the response since FastAPI 0.118)"
            )
        if "COMMIT" not in before:
            return (
                f"the database saw {', '.join(before) or 'no statement'} for it and no COMMIT, "
                "before or after the response: nothing ended its transaction (probably a commit "
                "that was never awaited, a flush without a commit, or no commit at all)"
            )
        return "the database saw its COMMIT before the response was sent"

    async def stored(self, raw_id: Any) -> bool:
        try:
            key = uuid.UUID(str(raw_id))
        except ValueError:
            return False
        query = select(func.count()).select_from(self.users).where(self.users.c.id == key)
        async with self.engine.connect() as conn:
            return bool(await conn.scalar(query))


class WitnessMiddleware:
    """Looks at each response as the app sends it, before the client gets it."""

    def __init__(self, app: ASGIApp, witness: Witness) -> None:
        self.app = app
        self.witness = witness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record: Sent | None = None
        body = b""
        began = time.perf_counter()

        async def watching_send(message: Message) -> None:
            nonlocal record, body
            if message["type"] == "http.response.start":
                record = Sent(status=message["status"], began=began)
                self.witness.sent.append(record)
            elif message["type"] == "http.response.body" and record is not None:
                body += message.get("body", b"")
                if not message.get("more_body", False) and 200 <= record.status < 300:
                    try:
                        record.id = json.loads(body).get("id")
                    except (ValueError, AttributeError):
                        record.id = None
                    record.stored_when_sent = await self.witness.stored(record.id)
                if not message.get("more_body", False):
                    record.sent = time.perf_counter()
            await send(message)

        await self.app(scope, receive, watching_send)


Observed = tuple[AsyncClient, Witness]  # the app's client, and the witness of what it sent


@pytest.fixture
async def observed(
    module: ModuleType, engine: AsyncEngine, make_client: ClientFactory
) -> AsyncIterator[Observed]:
    """The learner's app, its own get_db untouched, with the witness in front of it."""
    await create_schema(engine, module.Base.metadata)
    witness = Witness(engine, module.Base.metadata.tables["users"])
    module.app.add_middleware(WitnessMiddleware, witness=witness)
    timeline = witness.timeline
    with listening(
        (Engine, "before_cursor_execute", timeline.before_cursor_execute),
        (Engine, "commit", timeline.commit),
    ):
        async with make_client(module.app) as client:
            yield client, witness


async def count_users(engine: AsyncEngine) -> int:
    return int((await fetch_rows(engine, "SELECT count(*) FROM users"))[0][0])


async def test_duplicate_post_gets_409_and_one_row(
    module: ModuleType, observed: Observed, engine: AsyncEngine, teach: Teach
) -> None:
    client, witness = observed
    path = route_path(module.app, "post", "/users")
    first = await client.post(path, json=ADA)
    assert first.status_code == 201, teach(
        f"POST {path} with a new email answered {first.status_code} {body_of(first)!r}.",
        "201 with the new user",
    )
    second = await client.post(path, json=ADA_AGAIN)
    rows = await count_users(engine)
    body = body_of(second)
    lost = ""
    if second.is_success and isinstance(body, dict) and not await witness.stored(body.get("id")):
        lost = (
            f": the second {second.status_code} announced the id {body.get('id')!r}, "
            f"a row the database does not hold; {witness.what_happened(len(witness.sent) - 1)}"
        )
    assert second.status_code == 409, teach(
        f"POST {path} answered {first.status_code} and then {second.status_code} for the same "
        f"email, and the users table holds {rows} row(s){lost}.",
        "409 for the duplicate: commit in the endpoint, before returning, inside "
        "try/except IntegrityError (roll back, then HTTPException(409, detail=...))",
    )
    assert rows == 1, teach(
        f"After one sign-up and one refused duplicate, the users table holds {rows} rows.",
        "exactly 1 row: the unique constraint on email refuses the duplicate",
    )


async def test_every_201_was_committed_before_it_was_sent(
    module: ModuleType, observed: Observed, engine: AsyncEngine, teach: Teach
) -> None:
    client, witness = observed
    path = route_path(module.app, "post", "/users")
    for payload in (ADA, GRACE):
        response = await client.post(path, json=payload)
        assert response.status_code == 201, teach(
            f"POST {path} with the new email {payload['email']} answered "
            f"{response.status_code} {body_of(response)!r}.",
            "201 with the new user",
        )
    successes = [sent for sent in witness.sent if 200 <= sent.status < 300]
    assert len(successes) == 2, teach(
        f"The check saw {len(successes)} successful responses leave the app for 2 sign-ups.",
        "each response to go through the app's middleware stack",
    )
    for index, sent in enumerate(witness.sent):
        if not 200 <= sent.status < 300:
            continue
        assert sent.stored_when_sent, teach(
            f"POST {path} sent {sent.status} with the id {sent.id!r} while the database did not "
            "hold that row (checked on another connection as the body left the app): "
            f"{witness.what_happened(index)}. Had the commit failed, the client would still "
            "have its 201.",
            "commit before the response is built: `await db.commit()` in the endpoint (or a "
            "service function it awaits), not after `yield` in get_db. A flush is not enough: "
            "it sends the INSERT but keeps the transaction open",
        )
    rows = await count_users(engine)
    assert rows == 2, teach(
        f"After two sign-ups with different emails, the users table holds {rows} rows.",
        "2 rows, one per 201",
    )
