"""Checks for chapter 23, exercise 3: a live feed that keeps the server free and stops with
its client.

The checks shorten `POLL_SECONDS`, replace `get_monitor` with a monitor that counts how often
it is asked, and watch the stream as it arrives (`_asgi.drive`), hanging up mid-stream where a
check needs to. Any feed that waits by awaiting and stops polling when the stream ends passes:
polling in the generator, a task cancelled when the generator ends, or a loop that checks
`await request.is_disconnected()`.
"""

import asyncio
import time
from types import ModuleType
from typing import Any

import pytest

from checks.ch23_streaming_sse._asgi import Recording, calmest, drive, paced
from fastlings.testing import ClientFactory, Teach, require

FEED = "/builds/7/feed"
PROGRESS = [10, 35, 90, 100]  # the last answer is a finished build


class CountingMonitor:
    """Answers `running` with the next progress value, `passed` at the end (or never)."""

    def __init__(self, module: ModuleType, finish_after: int | None) -> None:
        self.status_class = module.BuildStatus
        self.finish_after = finish_after
        self.polls = 0

    async def status(self, build_id: int) -> Any:
        await asyncio.sleep(0)  # a real status API is awaited
        self.polls += 1
        done = self.finish_after is not None and self.polls >= self.finish_after
        if self.finish_after == len(PROGRESS):  # the ordered-progress check
            progress = PROGRESS[min(self.polls, len(PROGRESS)) - 1]
        else:
            progress = min(99, self.polls)
        return self.status_class(
            build_id=build_id, state="passed" if done else "running", progress=progress
        )


def use_monitor(
    module: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    lesson: str,
    *,
    poll: float,
    finish_after: int | None,
) -> list[CountingMonitor]:
    """Each request gets a fresh counting monitor; the list holds them in order."""
    get_monitor = require(module, "get_monitor", "the `get_monitor` dependency", lesson)
    require(module, "BuildStatus", "the `BuildStatus` model", lesson)
    require(module, "POLL_SECONDS", "the `POLL_SECONDS` setting", lesson)
    monkeypatch.setattr(module, "POLL_SECONDS", poll)
    monitors: list[CountingMonitor] = []

    def fresh_monitor() -> CountingMonitor:
        monitors.append(CountingMonitor(module, finish_after))
        return monitors[-1]

    module.app.dependency_overrides[get_monitor] = fresh_monitor
    return monitors


def answered(seen: Recording, teach: Teach) -> None:
    if seen.error is not None:
        why = f"the endpoint raised {type(seen.error).__name__}: {seen.error}"
    else:
        why = repr(seen.text()[:300])
    assert seen.status == 200, teach(
        f"GET {FEED} answered {seen.status}: {why}", "200 and a stream of status events"
    )


async def test_updates_arrive_in_order_until_finished(
    module: ModuleType,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    poll = 0.04
    use_monitor(module, monkeypatch, lesson, poll=0.0, finish_after=len(PROGRESS))
    async with make_client(module.app):
        await drive(module.app, FEED, give_up_after=3.0)  # warm-up: first-call costs paid here
        monkeypatch.setattr(module, "POLL_SECONDS", poll)
        seen = await calmest(
            lambda: drive(module.app, FEED, give_up_after=3.0),
            lambda seen: paced([e.at for e in seen.events], poll),
        )
    answered(seen, teach)
    got = [e.event for e in seen.events], [e.data for e in seen.events]
    progress = []
    for event in seen.events:
        try:
            progress.append(module.BuildStatus.model_validate_json(event.data).progress)
        except ValueError:
            progress.append(None)
    assert [e.event for e in seen.events] == ["status"] * len(PROGRESS), teach(
        f"The feed sent these events: {got}{seen.trouble()}",
        f"{len(PROGRESS)} `status` events, one per answer of the monitor, until it says passed",
    )
    assert progress == PROGRESS and seen.finished_at is not None, teach(
        f"The status events carried progress {progress}; the stream "
        f"{'ended' if seen.finished_at is not None else 'did not end'}.",
        f"progress {PROGRESS} in order, and the stream ends after the finished build",
    )
    first, last = seen.events[0].at, seen.events[-1].at
    assert paced([e.at for e in seen.events], poll), teach(
        f"Polling every {poll * 1000:.0f} ms, the first event arrived after "
        f"{first * 1000:.0f} ms and the last after {last * 1000:.0f} ms.",
        "each status as soon as the monitor gives it, one poll apart",
    )


async def test_other_requests_are_not_delayed(
    module: ModuleType,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    poll = 0.08
    use_monitor(module, monkeypatch, lesson, poll=poll, finish_after=5)  # ~0.35 s of feed
    async with make_client(module.app) as client:

        async def one_status() -> float:
            start = time.perf_counter()
            response = await client.get("/builds/7")
            assert response.status_code == 200, teach(
                f"GET /builds/7 answered {response.status_code}: {response.text[:200]}",
                "200 with the build's status",
            )
            return time.perf_counter() - start

        async def attempt() -> tuple[float, float, Recording]:
            alone = min([await one_status() for _ in range(3)])
            feed = asyncio.create_task(drive(module.app, FEED, give_up_after=3.0))
            pause = poll * 1.5  # the feed is running, between two polls
            start = time.perf_counter()
            await asyncio.sleep(pause)
            for _ in range(3):
                await one_status()
            late = time.perf_counter() - start - pause  # the pause overran, or requests waited
            return late, alone, await feed

        def calm(outcome: tuple[float, float, Recording]) -> bool:
            late, alone, _ = outcome
            return late < max(poll / 2, alone * 3 * 4)

        late, alone, seen = await calmest(attempt, calm, tries=2)
    answered(seen, teach)
    limit = max(poll / 2, alone * 3 * 4)
    assert late < limit, teach(
        f"While the feed waited between two polls ({poll * 1000:.0f} ms), three GET "
        f"/builds/7 were answered {late * 1000:.0f} ms later than planned; on its own one "
        f"takes {alone * 1000:.1f} ms. The wait between polls holds the event loop: nothing "
        "else runs until it ends.",
        f"about as fast as on their own (under {limit * 1000:.0f} ms late): wait with "
        "`await asyncio.sleep(...)`, which lets the loop serve other requests meanwhile",
    )


async def test_hang_up_stops_the_polling(
    module: ModuleType,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    poll = 0.03
    monitors = use_monitor(module, monkeypatch, lesson, poll=poll, finish_after=None)
    async with make_client(module.app):
        seen = await drive(
            module.app, FEED, hang_up=lambda r: len(r.events) >= 2, give_up_after=3.0, linger=0.5
        )
        answered(seen, teach)
        assert seen.disconnected_at is not None, teach(
            f"The feed sent {len(seen.events)} event(s) for a build that never finishes, then "
            "ended the stream.",
            "status events for as long as the client listens",
        )
        at_hang_up = sum(m.polls for m in monitors)
        await asyncio.sleep(poll * 6)
        after = sum(m.polls for m in monitors) - at_hang_up
    assert after <= 1, teach(
        f"After the client hung up, the monitor was asked {after} more times in "
        f"{poll * 6 * 1000:.0f} ms: something keeps polling for a client that is gone.",
        "no more polls once the stream ends (one already under way is fine): poll inside the "
        "generator, which FastAPI cancels on a hang-up, or stop the polling task when the "
        "generator ends",
    )
