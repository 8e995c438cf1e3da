"""Helpers shared by the chapter 17 checks: reading the datetimes an app answers with."""

from datetime import UTC, datetime
from typing import Any

from httpx import Response
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError, StatementError

from fastlings.testing import Teach, WiredApp, body_of

IST = "2026-03-01T10:00:00+05:30"  # ten in the morning in India = 04:30 UTC
IST_INSTANT = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)


def shown(response: Response) -> str:
    """`<status> <body>` for a failure message, the body cut short."""
    return f"{response.status_code} {str(body_of(response))[:300]}"


def instant(value: Any) -> datetime | None:
    """The aware datetime an ISO 8601 string with an offset names; None for anything else
    (no offset, not a string, not a datetime)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None


def field(body: Any, name: str) -> Any:
    return body.get(name) if isinstance(body, dict) else None


def read_back(value: Any, expected: datetime) -> str | None:
    """None when `value` is an ISO string with an offset naming `expected`; else what is wrong."""
    if not isinstance(value, str):
        return f"{value!r}, not an ISO 8601 string"
    parsed = instant(value)
    if parsed is None:
        return f"{value!r}, without a UTC offset (so it names no instant)"
    if parsed != expected:
        return (
            f"{value!r}, which is {parsed.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC, not "
            f"{expected.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        )
    return None


# Four meetings whose wall-clock order (23:55, 04:45, 10:00, 14:10) is not their order in time.
SCHEDULE = [
    ("Tokyo retro", "2026-03-01T14:10:00+09:00", datetime(2026, 3, 1, 5, 10, tzinfo=UTC)),
    ("London review", "2026-03-01T04:45:00+00:00", datetime(2026, 3, 1, 4, 45, tzinfo=UTC)),
    ("Mumbai standup", IST, IST_INSTANT),
    ("New York call", "2026-02-28T23:55:00-05:00", datetime(2026, 3, 1, 4, 55, tzinfo=UTC)),
]
IN_TIME_ORDER = [title for title, _, when in sorted(SCHEDULE, key=lambda row: row[2])]


def stored_instant(raw: Any) -> tuple[datetime | None, str]:
    """What a raw `starts_at` value, read with plain SQL, says about the instant stored.

    Returns (the instant in UTC, or None when it is not stored in UTC; a description)."""
    if isinstance(raw, str):  # SQLite: text
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            return None, f"the text {raw!r}"
    if not isinstance(raw, datetime):
        return None, f"{raw!r}"
    if raw.tzinfo is None:  # naive: UTC by the app's convention, or a local wall-clock time
        return raw.replace(tzinfo=UTC), f"{raw:%Y-%m-%d %H:%M:%S} (no offset)"
    if raw.utcoffset() != UTC.utcoffset(None):
        return None, f"{raw.isoformat()} (a local time with its offset, not UTC)"
    return raw, f"{raw.isoformat()}"


def _sent(context: Any) -> str:
    """` (the column type handed the driver starts_at=...)`: the value after the column type
    processed it ("" when it cannot be told)."""
    execution = context.execution_context
    names = getattr(getattr(execution, "compiled", None), "positiontup", None)
    rows = getattr(execution, "parameters", None)
    if not names or not rows or len(rows[0]) != len(names):
        return ""
    values = dict(zip(names, rows[0], strict=True))
    return (
        f" (the column type handed the driver starts_at={values['starts_at']!r})"
        if "starts_at" in values
        else ""
    )


async def read_through_column(wired: WiredApp, event_id: int) -> str:
    """What the app's `Event.starts_at` column hands back for the stored row, and what is stored
    (read with plain SQL); "" when the module has no such model."""
    model = getattr(wired.module, "Event", None)
    column = getattr(model, "starts_at", None)
    if model is None or column is None:
        return ""
    async with wired.engine.connect() as conn:
        raw = await conn.scalar(
            text("SELECT starts_at FROM events WHERE id = :id"), {"id": event_id}
        )
        try:
            value = await conn.scalar(select(column).where(model.id == event_id))
        except Exception as exc:  # the column type's own code raised
            got = f"raises {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        else:
            naive = isinstance(value, datetime) and value.utcoffset() is None
            got = f"hands back {value!r}" + (" (naive: no offset)" if naive else "")
    return (
        f" Read with plain SQL, the row holds {raw!r}; read through the model's column "
        f"(`select(Event.starts_at)`), it {got}."
    )


async def create(wired: WiredApp, teach: Teach, title: str, starts_at: str) -> int:
    """POST one event; a failed check (with the database's error, if any) unless it is 201."""
    path = wired.path("post", "/events")
    refused: list[str] = []

    def record(context: Any) -> None:
        said = str(context.original_exception).splitlines()[0][:200]
        wrapped = context.sqlalchemy_exception
        if isinstance(wrapped, DBAPIError):
            sent = _sent(context)
            refused.append(f" The database driver refused the statement: {said}{sent}.")
        elif isinstance(wrapped, StatementError):  # e.g. the column type's own code raised
            name = type(context.original_exception).__name__
            refused.append(
                f" SQLAlchemy raised {name} before handing the statement to the driver: {said}."
            )

    event.listen(wired.engine.sync_engine, "handle_error", record)
    try:
        response = await wired.client.post(path, json={"title": title, "starts_at": starts_at})
    finally:
        event.remove(wired.engine.sync_engine, "handle_error", record)
    why = refused[-1] if refused else ""
    assert response.status_code == 201, teach(
        f"POST {path} with starts_at={starts_at!r} answered {shown(response)}.{why}",
        "201 with the new event (a column declared with a time zone takes aware values)",
    )
    event_id = field(body_of(response), "id")
    assert isinstance(event_id, int), teach(
        f"POST {path} answered {shown(response)}.", "the new event with its integer id"
    )
    return event_id
