"""Helpers shared by the chapter 16 checks: seeded contacts, requests, and the stored rows."""

import json
import re
from typing import Any, NamedTuple

from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import select

from fastlings.testing import WiredApp

ADA: dict[str, Any] = {
    "id": 301,
    "name": "Ada O'Neil \\ Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0000",
    "note": "met at the 100% conference",
}
BOB: dict[str, Any] = {
    "id": 302,
    "name": "Bob",
    "email": "bob@example.com",
    "phone": "+1 555 0100",
    "note": "neighbour",
}
MISSING = 9301
FIELDS = ("name", "email", "phone", "note")


async def seed(wired: WiredApp) -> None:
    table = wired.module.Base.metadata.tables["contacts"]
    async with wired.engine.begin() as conn:
        await conn.execute(table.insert(), [ADA, BOB])


async def stored(wired: WiredApp, contact_id: int) -> dict[str, Any] | None:
    """The row as the database holds it now (not as the app answered)."""
    table = wired.module.Base.metadata.tables["contacts"]
    async with wired.engine.connect() as conn:
        row = (await conn.execute(select(table).where(table.c.id == contact_id))).first()
    return None if row is None else {k: row._mapping[k] for k in ("id", *FIELDS)}


async def send(wired: WiredApp, method: str, contact_id: int, body: Any) -> Response:
    return await wired.client.request(method, f"/contacts/{contact_id}", json=body)


def body_text(response: Response) -> str:
    return response.text[:240]


async def why_500(wired: WiredApp, response: Response) -> str:
    """On a 500, send the same request again and let the app's exception reach the check."""
    if response.status_code != 500:
        return ""
    request = response.request
    transport = ASGITransport(app=wired.app)  # raise_app_exceptions=True
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        try:
            await client.request(
                request.method,
                request.url.path,
                content=request.content,
                headers={"content-type": "application/json"},
            )
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0][:200]
            reading = ""
            column = NOT_NULL.search(str(exc)) if type(exc).__name__ == "IntegrityError" else None
            if column is not None:
                reading = null_written(column.group(1) or column.group(2), request.content)
            elif isinstance(exc, AttributeError) and "NoneType" in str(exc):
                reading = ". The row was not found (None) and the code used it anyway"
            return f". Sent again, the app raised {type(exc).__name__}: {first}{reading}"
    return ""


NOT_NULL = re.compile(r'NOT NULL constraint failed: \w+\.(\w+)|null value in column "(\w+)"')


def null_written(column: str, content: bytes) -> str:
    """Why None reached the NOT NULL `column`, read from the request body that was sent."""
    try:
        sent = json.loads(content) if content else {}
    except ValueError:
        sent = {}
    if not isinstance(sent, dict):
        sent = {}
    if column not in sent:
        return (
            f". The update wrote None into the NOT NULL column {column}, which the request "
            "left out: the update applied a field that was not sent, at its default None"
        )
    if sent[column] is None:
        return (
            f". The update wrote None into the NOT NULL column {column}, which the request "
            "sent as null: nothing refused the null before it reached the database"
        )
    return (
        f". The update wrote None into the NOT NULL column {column}, although the request "
        f"sent {column} = {sent[column]!r}: the value was lost between the request and the row "
        "(probably a validator that does not return the value)"
    )


async def answer(wired: WiredApp, response: Response) -> str:
    return f"{response.status_code}: {body_text(response)}{await why_500(wired, response)}"


class Update(NamedTuple):
    """What a PUT or PATCH of one contact did: as answered, and as stored afterwards."""

    status: int
    said: str
    """The status and body in words, with the app's exception after a 500 (`answer`)."""
    returned: Any
    """The JSON body when the app answered 200, else None."""
    row: dict[str, Any] | None
    """The contact's row as the database holds it after the request."""


async def update(wired: WiredApp, method: str, body: Any, contact_id: int = ADA["id"]) -> Update:
    """Send `method` with `body` to /contacts/<contact_id>, then read the row back."""
    response = await send(wired, method, contact_id, body)
    row = await stored(wired, contact_id)
    returned = response.json() if response.status_code == 200 else None
    return Update(response.status_code, await answer(wired, response), returned, row)
