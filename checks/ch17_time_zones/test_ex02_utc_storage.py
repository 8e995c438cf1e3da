"""Checks for chapter 17, exercise 2: instants stored in UTC and read back with an offset."""

from sqlalchemy import text

from checks.ch17_time_zones._times import (
    IN_TIME_ORDER,
    IST,
    IST_INSTANT,
    SCHEDULE,
    create,
    field,
    read_back,
    read_through_column,
    shown,
    stored_instant,
)
from checks.ch17_time_zones.conftest import assert_instants_listed, listing
from fastlings.testing import Teach, WiredApp, body_of


async def test_same_instant_comes_back_with_an_offset(wired: WiredApp, teach: Teach) -> None:
    event_id = await create(wired, teach, "Mumbai standup", IST)
    response = await wired.client.get(f"/events/{event_id}")
    read = "" if response.status_code == 200 else await read_through_column(wired, event_id)
    assert response.status_code == 200, teach(
        f"GET /events/{event_id} answered {shown(response)}.{read}",
        "200 with the event, its starts_at read back aware (a column type that stores UTC "
        "and marks what it reads back as UTC)",
    )
    problem = read_back(field(body_of(response), "starts_at"), IST_INSTANT)
    assert problem is None, teach(
        f"POST /events with starts_at={IST!r}, then GET /events/{event_id}: starts_at is "
        f"{problem}. The offset was lost on the way through the database.",
        "the same instant, with an offset (e.g. 2026-03-01T04:30:00Z): store it in UTC and "
        "give the value read back its time zone (SQLite returns naive datetimes)",
    )


async def test_stored_as_utc(wired: WiredApp, teach: Teach) -> None:
    event_id = await create(wired, teach, "Mumbai standup", IST)
    async with wired.engine.connect() as conn:
        raw = await conn.scalar(
            text("SELECT starts_at FROM events WHERE id = :id"), {"id": event_id}
        )
    stored, described = stored_instant(raw)
    assert stored == IST_INSTANT, teach(
        f"POST /events with starts_at={IST!r} stored {described} (read with plain SQL).",
        f"the instant in UTC, {IST_INSTANT:%Y-%m-%d %H:%M:%S}: convert with "
        "`.astimezone(UTC)` before it is stored, so that every row uses the same clock and "
        "the database compares and sorts instants, not wall-clock times",
    )


async def test_listing_is_ordered_by_instant(wired: WiredApp, teach: Teach) -> None:
    for title, starts_at, _ in SCHEDULE:
        await create(wired, teach, title, starts_at)
    path, body = await listing(wired, teach)
    titles = [field(item, "title") for item in body]
    sent = "; ".join(f"{title} {when}" for title, when, _ in SCHEDULE)
    assert titles == IN_TIME_ORDER, teach(
        f"Four events were created ({sent}); GET {path} listed them as {titles}.",
        f"{IN_TIME_ORDER}: ordered by the instant, which the database can only do when every "
        "row holds the same clock (UTC); ordered by local wall-clock text it gets it wrong",
    )
    assert_instants_listed(
        path, body, teach, "each event's instant, as ISO 8601 with an offset (e.g. {example})"
    )
