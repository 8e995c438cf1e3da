"""Checks shared by the chapter 17 checks files (here, so pytest rewrites their asserts like
those of the checks themselves); the events, parsing and seeding helpers are in `_times.py`."""

from datetime import UTC
from typing import Any

from checks.ch17_time_zones._times import SCHEDULE, field, read_back, shown
from fastlings.testing import Teach, WiredApp, body_of


async def listing(wired: WiredApp, teach: Teach) -> tuple[str, list[Any]]:
    """GET /events: the path used and the list it answered (a failed check unless 200 + list)."""
    path = wired.path("get", "/events")
    response = await wired.client.get(path)
    body = body_of(response)
    assert response.status_code == 200 and isinstance(body, list), teach(
        f"GET {path} answered {shown(response)}.", "200 with a list of events"
    )
    return path, body


def assert_instants_listed(path: str, body: list[Any], teach: Teach, pattern: str) -> None:
    """Every listed SCHEDULE event reads back as its instant; `pattern` (formatted with an
    `example` of the expected ISO text) says what the pattern expects."""
    expected = {title: when for title, _, when in SCHEDULE}
    for item in body:
        when = expected[field(item, "title")]
        problem = read_back(field(item, "starts_at"), when)
        assert problem is None, teach(
            f"GET {path} listed {field(item, 'title')!r} with starts_at={problem}.",
            pattern.format(example=when.astimezone(UTC).isoformat()),
        )
