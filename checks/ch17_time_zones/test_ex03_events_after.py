"""Checks for chapter 17, exercise 3: "events after T" and their order, across time zones."""

from checks.ch17_time_zones._times import (
    IN_TIME_ORDER,
    SCHEDULE,
    body_of,
    create,
    field,
    read_back,
    shown,
)
from fastlings.testing import Teach, WiredApp

# (after, the titles strictly later): one second either side of an event, each in another zone
BOUNDARIES = [
    ("2026-03-01T04:29:59Z", {"Mumbai standup", "London review", "New York call", "Tokyo retro"}),
    ("2026-03-01T10:00:01+05:30", {"London review", "New York call", "Tokyo retro"}),
    ("2026-02-28T23:44:59-05:00", {"London review", "New York call", "Tokyo retro"}),
    ("2026-03-01T04:45:01+00:00", {"New York call", "Tokyo retro"}),
    ("2026-03-01T13:54:59+09:00", {"New York call", "Tokyo retro"}),
    ("2026-03-01T14:09:59+09:00", {"Tokyo retro"}),
    ("2026-03-01T00:10:01-05:00", set()),
]


async def seed(wired: WiredApp, teach: Teach) -> None:
    for title, starts_at, _ in SCHEDULE:
        await create(wired, teach, title, starts_at)


def schedule_text() -> str:
    return "; ".join(f"{title} {when}" for title, when, _ in SCHEDULE)


async def test_events_after_are_right_across_zones(wired: WiredApp, teach: Teach) -> None:
    await seed(wired, teach)
    path = wired.path("get", "/events")
    for after, expected in BOUNDARIES:
        response = await wired.client.get(path, params={"after": after})
        body = body_of(response)
        assert response.status_code == 200 and isinstance(body, list), teach(
            f"GET {path}?after={after} answered {shown(response)}.",
            "200 with the events that start after that instant",
        )
        titles = {field(item, "title") for item in body}
        assert titles == expected, teach(
            f"With the events {schedule_text()}, GET {path}?after={after} listed {sorted(titles)}.",
            f"{sorted(expected)}: the events strictly after that instant. Compare instants on "
            "one clock: both the stored values and `after` in UTC",
        )


async def test_naive_times_are_refused(wired: WiredApp, teach: Teach) -> None:
    naive = "2026-03-01T10:00:00"
    post = wired.path("post", "/events")
    response = await wired.client.post(post, json={"title": "Launch", "starts_at": naive})
    assert response.status_code == 422, teach(
        f"POST {post} with starts_at={naive!r} (no offset) answered {shown(response)}.",
        "422: a datetime without an offset names no instant (`AwareDatetime`)",
    )
    get = wired.path("get", "/events")
    response = await wired.client.get(get, params={"after": naive})
    assert response.status_code == 422, teach(
        f"GET {get}?after={naive} (no offset) answered {shown(response)}.",
        "422 for the query parameter too: type `after` as an aware datetime, like the body",
    )


async def test_listing_is_ordered_by_instant(wired: WiredApp, teach: Teach) -> None:
    await seed(wired, teach)
    path = wired.path("get", "/events")
    response = await wired.client.get(path)
    body = body_of(response)
    assert response.status_code == 200 and isinstance(body, list), teach(
        f"GET {path} answered {shown(response)}.", "200 with a list of events"
    )
    titles = [field(item, "title") for item in body]
    assert titles == IN_TIME_ORDER, teach(
        f"With the events {schedule_text()}, GET {path} listed them as {titles}.",
        f"{IN_TIME_ORDER}: earliest instant first, which needs every row on one clock (UTC)",
    )
    expected = {title: when for title, _, when in SCHEDULE}
    for item in body:
        problem = read_back(field(item, "starts_at"), expected[field(item, "title")])
        assert problem is None, teach(
            f"GET {path} listed {field(item, 'title')!r} with starts_at={problem}.",
            "each event's instant as ISO 8601 with an offset",
        )
