"""Helpers shared by the chapter 12 checks: large ids, signing users up, reading roles."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text

from fastlings.testing import Teach, WiredApp, fetch_rows

# Ids start above CPython's small-int cache (-5..256): `a is b` on two equal ids read from the
# database is then False, so an ownership test written with `is` fails as it would in production.
FIRST_USER_ID = 1000
FIRST_ITEM_ID = 5000


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def start_ids_high(wired: WiredApp) -> None:
    """One placeholder row per table, with a large id, so that new rows get larger ids still."""
    tables = wired.module.Base.metadata.tables
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "users",
            {"id": FIRST_USER_ID, "username": "placeholder", "token_hash": "0" * 64},
        )
    ]
    if "items" in tables:
        rows.append(
            ("items", {"id": FIRST_ITEM_ID, "title": "placeholder", "owner_id": FIRST_USER_ID})
        )
    async with wired.engine.begin() as conn:
        for name, values in rows:
            await conn.execute(insert(tables[name]).values(**values))
            if conn.dialect.name == "postgresql":  # explicit ids do not move the sequence
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )


async def sign_up(wired: WiredApp, username: str, teach: Teach, **extra: Any) -> Account:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json={"username": username, **extra})
    body = response.json() if response.status_code == 201 else {}
    assert isinstance(body.get("id"), int) and isinstance(body.get("token"), str), teach(
        f"POST {path} (sign-up of {username!r}) answered {response.status_code}: "
        f"{response.text[:200]}",
        "201 with the new user's id and token, as the starter did: keep the sign-up working",
    )
    return Account(id=body["id"], username=username, token=body["token"])


async def sign_up_ada_and_bob(wired: WiredApp, teach: Teach) -> tuple[Account, Account]:
    """Ada, then Bob: the owner and the other user most checks need."""
    return await sign_up(wired, "ada", teach), await sign_up(wired, "bob", teach)


async def create_item(
    wired: WiredApp, owner: Account, title: str, teach: Teach, **extra: Any
) -> dict[str, Any]:
    path = wired.path("post", "/items")
    response = await wired.client.post(path, json={"title": title, **extra}, headers=owner.auth)
    body = response.json() if response.status_code == 201 else {}
    assert isinstance(body.get("id"), int), teach(
        f"POST {path} by {owner.username} answered {response.status_code}: {response.text[:200]}",
        "201 and the new item, as the starter did: keep item creation working",
    )
    return dict(body)


async def owner_in_db(wired: WiredApp, item_id: int) -> int | None:
    rows = await fetch_rows(
        wired.engine, "SELECT owner_id FROM items WHERE id = :id", {"id": item_id}
    )
    return int(rows[0][0]) if rows else None


async def is_admin_in_db(wired: WiredApp, user_id: int) -> bool | None:
    rows = await fetch_rows(
        wired.engine, "SELECT is_admin FROM users WHERE id = :id", {"id": user_id}
    )
    return bool(rows[0][0]) if rows else None
