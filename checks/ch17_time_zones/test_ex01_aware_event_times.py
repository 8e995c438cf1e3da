"""Checks for chapter 17, exercise 1: a datetime without an offset is refused at the door."""

from sqlalchemy import text

from checks.ch17_time_zones._times import IST, IST_INSTANT, field, read_back, shown
from fastlings.testing import Teach, WiredApp, body_of


async def count_events(wired: WiredApp) -> int:
    async with wired.engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM events")) or 0)


async def test_datetime_with_offset_is_accepted(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/events")
    cases = [
        (IST, IST_INSTANT, "an offset east of UTC (+05:30)"),
        ("2026-02-28T20:30:00-08:00", IST_INSTANT, "an offset west of UTC (-08:00)"),
        ("2026-03-01T04:30:00Z", IST_INSTANT, "UTC written as Z"),
    ]
    for sent, expected, why in cases:
        response = await wired.client.post(path, json={"title": "Launch", "starts_at": sent})
        assert response.status_code == 201, teach(
            f"POST {path} with starts_at={sent!r} ({why}) answered {shown(response)}.",
            "201: a datetime with any UTC offset names one instant and is valid input",
        )
        problem = read_back(field(body_of(response), "starts_at"), expected)
        assert problem is None, teach(
            f"POST {path} with starts_at={sent!r} ({why}) answered starts_at={problem}.",
            "the same instant back, as ISO 8601 with an offset",
        )


async def test_naive_datetime_is_refused(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/events")
    naive = "2026-03-01T10:00:00"
    response = await wired.client.post(path, json={"title": "Launch", "starts_at": naive})
    stored = await count_events(wired)
    assert response.status_code == 422, teach(
        f"POST {path} with starts_at={naive!r} (no offset: ten o'clock, but where?) answered "
        f"{shown(response)}, and the events table holds {stored} row(s).",
        "422: a datetime without an offset names no instant, so refuse it instead of guessing "
        "a zone (Pydantic's `AwareDatetime` does exactly this)",
    )
    detail = body_of(response)
    errors = detail.get("detail") if isinstance(detail, dict) else None
    named = isinstance(errors, list) and any(
        isinstance(e, dict) and "starts_at" in e.get("loc", []) for e in errors
    )
    kind = (
        ""
        if isinstance(errors, list)
        else f" Its `detail` is a {type(errors).__name__}, not the list of validation errors "
        "(each with its `loc`) that FastAPI answers when the request model refuses a field."
    )
    assert named, teach(
        f"POST {path} with starts_at={naive!r} answered 422 with {str(detail)[:300]}.{kind}",
        "a validation error located at starts_at, so the client knows which field lacks an offset",
    )
    assert stored == 0, teach(
        f"After the refused POST, the events table holds {stored} row(s).",
        "no row: the request was refused before anything was stored",
    )
