"""Checks for chapter 14, exercise 2: a relationship nobody loaded raises instead of loading."""

from typing import Any

from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from checks.ch14_relationships._loading import (
    FIRST_ID,
    expected_items,
    expected_users,
    normalised,
    seed,
    why_500,
)
from fastlings.testing import StatementLog, Teach, WiredApp

USERS = 5
GUARD = 'lazy="raise" on the relationship (or lazy="raise_on_sql")'


async def test_endpoints_still_answer_with_nested_data(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, USERS)
    for prefix, expected in (("/users", expected_users(USERS)), ("/items", expected_items(USERS))):
        path = wired.path("get", prefix)
        response = await wired.client.get(path)
        body = response.json() if response.status_code == 200 else None
        assert response.status_code == 200 and normalised(body) == normalised(expected), teach(
            f"GET {path} answered {response.status_code}: {response.text[:300]}"
            f"{await why_500(wired.app, response)}",
            "200 with the nested data, as the starter answered: its queries load what the "
            "response reads (selectinload, joinedload), so the guard changes nothing for them",
        )


async def touch_unloaded(
    wired: WiredApp, sql: StatementLog, model: str, key: int, attribute: str
) -> tuple[BaseException | None, list[str], Any]:
    """In a fresh sync session (inside run_sync, where a lazy load CAN run), load one row
    without options and read `attribute`: the exception it raised, the SQL it ran, the value."""
    cls = getattr(wired.module, model)

    def probe(session: Session) -> tuple[BaseException | None, list[str], Any]:
        before = len(sql)
        row = session.get(cls, key)
        if len(sql) - before > 1:
            return None, [], "eager"
        before = len(sql)
        try:
            value = getattr(row, attribute)
            value = list(value) if isinstance(value, list) else value
        except Exception as exc:
            return exc, sql.statements[before:], None
        return None, sql.statements[before:], value

    async with wired.sessionmaker() as session:
        return await session.run_sync(probe)


def verdict(
    model: str, attribute: str, error: BaseException | None, ran: list[str], value: Any
) -> tuple[bool, str]:
    name = f"{model}.{attribute}"
    if error is None:
        if value == "eager":
            what = (
                "found it loaded already: loading the row alone ran more than one SELECT, an "
                'eager default (lazy="selectin" or "joined") that every query pays for'
            )
        elif ran:
            sent = " ".join(ran[0].split())[:100]
            what = (
                f"loaded it silently with {len(ran)} more SELECT ({sent}). In async code the "
                "same read fails with MissingGreenlet, which names no attribute; in sync code "
                "it is one hidden query per row"
            )
        elif value:
            what = (
                "found it loaded already, with no SQL of its own: probably an eager default "
                '(lazy="joined") that every query pays for'
            )
        else:
            shown = "an empty list" if isinstance(value, list) else repr(value)
            what = (
                f"returned {shown} without an error and without any SQL: probably "
                'lazy="noload", which hides the missing load instead of reporting it'
            )
        return False, f"Reading {name} on a row loaded without options {what}."
    message = str(error).splitlines()[0]
    if isinstance(error, InvalidRequestError) and "lazy='raise" in message:
        return True, ""
    return False, (
        f"Reading {name} on a row loaded without options raised {type(error).__name__}: "
        f"{message[:200]}"
    )


async def test_unloaded_items_raise_instead_of_loading(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, USERS)
    user_id = FIRST_ID + 2  # owns two items
    error, ran, value = await touch_unloaded(wired, sql, "User", user_id, "items")
    ok, observed = verdict("User", "items", error, ran, value)
    assert ok, teach(
        observed,
        f"InvalidRequestError: 'User.items' is not available due to lazy='raise': {GUARD}",
    )


async def test_unloaded_owner_raises_instead_of_loading(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, USERS)
    item_id = 10_000 + 10 * 2  # the first item of user 2
    error, ran, value = await touch_unloaded(wired, sql, "Item", item_id, "owner")
    ok, observed = verdict("Item", "owner", error, ran, value)
    assert ok, teach(
        observed + " (the many-to-one side needs the guard too)",
        f"InvalidRequestError: 'Item.owner' is not available due to lazy='raise': {GUARD}",
    )
