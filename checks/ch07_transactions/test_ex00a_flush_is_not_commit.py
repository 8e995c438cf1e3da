"""Checks for chapter 7, step 1: a 201 only for a comment that is stored for good.

The app runs with its own get_db (no override); the check reads the table on its own connection
after each response.
"""

from dataclasses import dataclass, field

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastlings.testing import Teach, WiredApp, WireFactory

COMMENT = {"author": "Ada", "body": "Loops are \\ fun"}


@dataclass
class Witness:
    """Counts the stored comments, on the check's own connection, as each 2xx response starts."""

    engine: AsyncEngine
    table: Table
    counts: list[int] = field(default_factory=list)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def witnessed(scope: Scope, receive: Receive, send: Send) -> None:
            async def watching_send(message: Message) -> None:
                if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                    async with self.engine.connect() as conn:
                        found = await conn.scalar(select(func.count()).select_from(self.table))
                    self.counts.append(int(found or 0))
                await send(message)

            await app(scope, receive, watching_send)

        return witnessed


async def stored_count(wired: WiredApp) -> int:
    table = wired.module.Comment.__table__
    async with wired.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_created_comment_is_returned(wire: WireFactory, teach: Teach) -> None:
    async with wire(override=False) as wired:
        response = await wired.client.post("/comments", json=COMMENT)
    body = response.json() if response.status_code == 201 else None
    assert isinstance(body, dict) and isinstance(body.get("id"), int), teach(
        f"POST /comments answered {response.status_code}: {response.text[:200]}",
        "201 with the new comment and its id",
    )
    assert {k: body.get(k) for k in COMMENT} == COMMENT, teach(
        f"POST /comments answered {body!r}.", f"the comment as sent: {COMMENT!r}"
    )


async def test_created_comment_is_stored(wire: WireFactory, teach: Teach) -> None:
    async with wire(override=False) as wired:
        witness = Witness(wired.engine, wired.module.Comment.__table__)
        wired.app.add_middleware(witness.middleware)
        first = await wired.client.post("/comments", json=COMMENT)
        second = await wired.client.post("/comments", json={**COMMENT, "author": "Grace"})
        rows = await stored_count(wired)
    assert rows == 2, teach(
        f"POST /comments answered {first.status_code} and {second.status_code}, and afterwards "
        f"the comments table holds {rows} row(s), read on another connection. A flush sends the "
        "INSERT inside the open transaction; when the session closes without a commit, the "
        "transaction is rolled back and the rows with it.",
        "2 rows: `await db.commit()` in the endpoint, before it returns",
    )
    assert witness.counts == [1, 2], teach(
        f"The comments were stored in the end, but as the two 201s left the app the table held "
        f"{witness.counts} rows: the commit ran only after the response had been sent (after "
        "`yield` in a dependency, or in a background task), where a failure reaches no one.",
        "[1, 2]: the commit in the endpoint, before it returns (chapter 7.3 shows why)",
    )
