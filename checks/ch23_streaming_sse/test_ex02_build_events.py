"""Checks for chapter 23, exercise 2: build steps as server-sent events.

The checks replace `get_runner` with a runner whose steps come at a pace the check sets, read
the stream as it arrives (`_asgi.drive`) and parse it the way a browser's EventSource does
(`_asgi.EventStreamParser`, after the HTML standard).
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

from checks.ch23_streaming_sse._asgi import Recording, calmest, drive, pace_miss, paced
from fastlings.testing import ClientFactory, Teach, find_operation, require

PACE = 0.015  # seconds between two steps while the stream is timed
PLAIN = [
    {"n": 1, "name": "checkout", "status": "ok", "message": "fetched 3 commits"},
    {"n": 2, "name": "install", "status": "ok", "message": "412 packages"},
    {"n": 3, "name": "test", "status": "failed", "message": "1 failed"},
    {"n": 4, "name": "report", "status": "ok", "message": "sent"},
]
# Messages a program really prints: line breaks, a line that reads like an SSE field, a
# backslash, non-ASCII text.
TRICKY = [
    {"n": 7, "name": "lint", "status": "ok", "message": "2 warnings:\nid: 99\ndata: unused"},
    {"n": 8, "name": "test", "status": "failed", "message": "C:\\ci\\tmp\r\nexpected \u2260 got"},
    {"n": 300, "name": "deploy", "status": "ok", "message": "event: done"},
]


class PacedRunner:
    def __init__(self, module: ModuleType, steps: list[dict[str, Any]], pace: float) -> None:
        self.step_class = module.Step
        self.steps_to_send = steps
        self.pace = pace
        self.asked: list[int] = []

    async def steps(self, build_id: int) -> AsyncIterator[Any]:
        self.asked.append(build_id)
        for step in self.steps_to_send:
            await asyncio.sleep(self.pace)
            yield self.step_class(**step)


def use_runner(module: ModuleType, runner: PacedRunner, lesson: str) -> None:
    get_runner = require(module, "get_runner", "the `get_runner` dependency", lesson)
    require(module, "Step", "the `Step` model", lesson)
    module.app.dependency_overrides[get_runner] = lambda: runner


async def watch(
    module: ModuleType, make_client: ClientFactory, observed_app: Callable[[Any], Any]
) -> Recording:
    async with make_client(module.app):  # lifespan and overrides, as for any client
        return await drive(observed_app(module.app), "/builds/41/events")


def answered(seen: Recording, teach: Teach) -> None:
    assert seen.status == 200, teach(
        f"GET /builds/41/events answered {seen.status}: {seen.text()[:300]!r}{seen.trouble()}",
        "200 and a stream of events",
    )


async def test_steps_arrive_in_order_and_in_time(
    module: ModuleType,
    make_client: ClientFactory,
    observed_app: Callable[[Any], Any],
    teach: Teach,
    lesson: str,
) -> None:
    app = observed_app(module.app)  # what it raises and answers is recorded for the screen
    runner = PacedRunner(module, PLAIN, 0.0)
    use_runner(module, runner, lesson)
    async with make_client(module.app):  # lifespan and overrides, as for any client
        await drive(app, "/builds/41/events")  # warm-up: first-call costs are paid here
        runner.pace = PACE
        seen = await calmest(
            lambda: drive(app, "/builds/41/events"),
            lambda seen: pace_miss([e.at for e in seen.events], PACE),
        )
    answered(seen, teach)
    got = [(e.event, e.id) for e in seen.events]
    want = [("step", str(s["n"])) for s in PLAIN]
    assert got == want, teach(
        f"The stream held these (event, id) pairs: {got}; its text: {seen.text()[:300]!r}"
        f"{seen.trouble()}",
        f"one `step` event per step, in order, with the step's number as its id: {want}",
    )
    first, last = seen.events[0].at, seen.events[-1].at
    assert paced([e.at for e in seen.events], PACE), teach(
        f"The runner finishes a step every {PACE * 1000:.0f} ms; the first event arrived "
        f"after {first * 1000:.0f} ms and the last after {last * 1000:.0f} ms.",
        "each event as soon as its step is done: the first well before the last",
    )


async def test_each_event_is_the_step_as_json(
    module: ModuleType,
    make_client: ClientFactory,
    observed_app: Callable[[Any], Any],
    teach: Teach,
    lesson: str,
) -> None:
    runner = PacedRunner(module, TRICKY, 0.0)
    use_runner(module, runner, lesson)
    seen = await watch(module, make_client, observed_app)
    answered(seen, teach)
    assert runner.asked == [41], teach(
        f"The runner from `get_runner` was asked for builds {runner.asked}.",
        "the steps of build 41, from the runner the endpoint gets through `Depends(get_runner)`",
    )
    assert len(seen.events) == len(TRICKY), teach(
        f"An EventSource would read {len(seen.events)} events from this stream, for "
        f"{len(TRICKY)} steps: {seen.text()[:400]!r}{seen.trouble()}",
        "one event per step",
    )
    for event, step in zip(seen.events, TRICKY, strict=True):
        try:
            data = json.loads(event.data)
        except ValueError:
            data = None
        assert event.event == "step" and event.id == str(step["n"]) and data == step, teach(
            f"For the step {step!r} an EventSource read event={event.event!r}, "
            f"id={event.id!r}, data={event.data!r}.",
            "event `step`, the step's number as id, and the step as JSON in `data`, whatever "
            "its message holds: yield `ServerSentEvent(data=step, event=..., id=...)` and let "
            "FastAPI write the lines",
        )


async def test_stream_is_declared_an_event_stream(
    module: ModuleType,
    make_client: ClientFactory,
    observed_app: Callable[[Any], Any],
    teach: Teach,
    lesson: str,
) -> None:
    runner = PacedRunner(module, PLAIN[:1], 0.0)
    use_runner(module, runner, lesson)
    seen = await watch(module, make_client, observed_app)
    answered(seen, teach)
    content_type = seen.headers.get("content-type", "(none)")
    cache = seen.headers.get("cache-control", "(none)")
    assert content_type.startswith("text/event-stream") and "no-cache" in cache, teach(
        f"The stream was sent with Content-Type {content_type} and Cache-Control {cache}.",
        "Content-Type text/event-stream (EventSource refuses anything else) and "
        "Cache-Control no-cache (or proxies may keep the stream); `EventSourceResponse` "
        "sends both",
    )
    found = find_operation(module.app.openapi(), "GET", "/builds/{build_id}/events")
    content = found[1].get("responses", {}).get("200", {}).get("content", {}) if found else {}
    assert "text/event-stream" in content, teach(
        f"OpenAPI documents the 200 answer of GET /builds/{{build_id}}/events as "
        f"{sorted(content) or 'nothing'}.",
        "text/event-stream: declare `response_class=EventSourceResponse` on the path operation",
    )
