"""Helpers shared by the chapter 16 checks: seeded contacts, requests, and the stored rows."""

from typing import Any

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
            if "NOT NULL" in str(exc).upper() or "null value in column" in str(exc):
                reading = (
                    ". The update wrote None into a NOT NULL column: a field the client left "
                    "out, or sent as null, reached the database"
                )
            elif isinstance(exc, AttributeError) and "NoneType" in str(exc):
                reading = ". The row was not found (None) and the code used it anyway"
            return f". Sent again, the app raised {type(exc).__name__}: {first}{reading}"
    return ""


async def answer(wired: WiredApp, response: Response) -> str:
    return f"{response.status_code}: {body_text(response)}{await why_500(wired, response)}"
