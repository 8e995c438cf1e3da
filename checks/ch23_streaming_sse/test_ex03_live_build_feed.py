"""Checks for chapter 23, exercise 3: a live feed that keeps the server free and stops with
its client.

The checks shorten `POLL_SECONDS`, replace `get_monitor` with a monitor that counts how often
it is asked, and watch the stream as it arrives (`_asgi.drive`), hanging up mid-stream where a
check needs to. Any feed that waits by awaiting and stops polling when the stream ends passes:
polling in the generator, a task cancelled when the generator ends, or a loop that checks
`await request.is_disconnected()`.

Polls are 10-20 ms apart, so a check waits a few tens of milliseconds; a blocking `time.sleep`
still holds the loop for a whole poll each time, which no scheduling hiccup imitates.

A poll is counted when it is asked for, before the monitor's first `await`: a feed that catches
the hang-up's `CancelledError` and polls again is cancelled anew at that `await` (anyio keeps
cancelling a task inside a cancelled scope), so its poll would otherwise go unseen. The monitor
also notes each task that asks it: one asking while its cancellation is pending, or one that
ends normally once cancelled, swallowed the cancellation (`except CancelledError: pass` or
`return`, `except BaseException`). Clean-up in `finally:`, or `except CancelledError:` that
raises again, ends the task cancelled and passes.
"""

import asyncio
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from checks.ch23_streaming_sse._asgi import Recording, calmest, cpu_wait, drive, pace_miss, paced
from fastlings.testing import ClientFactory, Teach, require

FEED = "/builds/7/feed"
PROGRESS = [10, 35, 90, 100]  # the last answer is a finished build


class CountingMonitor:
    """Answers `running` with the next progress value, `passed` at the end (or never)."""

    def __init__(self, module: ModuleType, finish_after: int | None) -> None:
        self.status_class = module.BuildStatus
        self.finish_after = finish_after
        self.ordered = finish_after == len(PROGRESS)  # the ordered-progress check
        self.polls = 0
        self.asked_while_cancelled = 0
        """Polls asked for by a task whose cancellation was pending (it had caught it)."""
        self.tasks: list[asyncio.Task[Any]] = []
        """Each task that asked for a poll, once."""

    def finish(self) -> None:
        """From the next poll on, the build has passed: a feed still polling ends by itself."""
        self.finish_after = 0

    async def status(self, build_id: int) -> Any:
        self.polls += 1  # counted when asked: an `await` here may be where it is cancelled
        task = asyncio.current_task()
        if task is not None:
            if task not in self.tasks:
                self.tasks.append(task)
            if task.cancelling():
                self.asked_while_cancelled += 1
        await asyncio.sleep(0)  # a real status API is awaited
        done = self.finish_after is not None and self.polls >= self.finish_after
        if self.ordered:
            progress = PROGRESS[min(self.polls, len(PROGRESS)) - 1]
        else:
            progress = min(99, self.polls)
        return self.status_class(
            build_id=build_id, state="passed" if done else "running", progress=progress
        )


class Monitors(list[CountingMonitor]):
    """The monitors handed out so far, in order; new ones finish after `finish_after` polls."""

    def __init__(self, finish_after: int | None) -> None:
        super().__init__()
        self.finish_after = finish_after

    @property
    def polls(self) -> int:
        return sum(monitor.polls for monitor in self)

    def finish(self) -> None:
        for monitor in self:
            monitor.finish()

    @property
    def asked_while_cancelled(self) -> int:
        return sum(monitor.asked_while_cancelled for monitor in self)

    def ended_uncancelled(self) -> list[asyncio.Task[Any]]:
        """The polling tasks that were cancelled and yet ended normally: they caught it."""
        return [
            task
            for monitor in self
            for task in monitor.tasks
            if task.done() and not task.cancelled() and task.cancelling()
        ]


def use_monitor(
    module: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    lesson: str,
    *,
    poll: float,
    finish_after: int | None,
) -> Monitors:
    """Each request gets a fresh counting monitor; the list holds them in order."""
    get_monitor = require(module, "get_monitor", "the `get_monitor` dependency", lesson)
    require(module, "BuildStatus", "the `BuildStatus` model", lesson)
    require(module, "POLL_SECONDS", "the `POLL_SECONDS` setting", lesson)
    monkeypatch.setattr(module, "POLL_SECONDS", poll)
    monitors = Monitors(finish_after)

    def fresh_monitor() -> CountingMonitor:
        monitors.append(CountingMonitor(module, monitors.finish_after))
        return monitors[-1]

    module.app.dependency_overrides[get_monitor] = fresh_monitor
    return monitors


async def warm_up(app: Any, monitors: Monitors) -> None:
    """One untimed feed of a build that has already passed: first-call costs are paid here."""
    planned, monitors.finish_after = monitors.finish_after, 1
    await drive(app, FEED)
    monitors.finish_after = planned


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
    observed_app: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    app = observed_app(module.app)  # what it raises and answers is recorded for the screen
    poll = 0.015
    monitors = use_monitor(module, monkeypatch, lesson, poll=poll, finish_after=len(PROGRESS))
    async with make_client(module.app):
        await warm_up(app, monitors)
        seen = await calmest(
            lambda: drive(app, FEED),
            lambda seen: pace_miss([e.at for e in seen.events], poll),
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
    observed_app: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    app = observed_app(module.app)  # what it raises and answers is recorded for the screen
    monitors = use_monitor(module, monkeypatch, lesson, poll=0.01, finish_after=None)
    async with make_client(module.app) as client:

        async def one_status() -> float:
            start = time.perf_counter()
            response = await client.get("/builds/7")
            assert response.status_code == 200, teach(
                f"GET /builds/7 answered {response.status_code}: {response.text[:200]}",
                "200 with the build's status",
            )
            return time.perf_counter() - start

        async def three_statuses() -> None:
            for _ in range(3):
                await one_status()

        async def attempt() -> tuple[float, bool, float, float, float | None, Recording]:
            alone = min([await one_status() for _ in range(3)])
            # Three polls last at least 30 ms and twelve requests: three requests, each four
            # times as slow as alone, fit in them. Waiting with `time.sleep` holds the requests
            # up for a whole poll each time the loop comes back to the feed, six or more times.
            poll = max(0.01, alone * 4)
            monkeypatch.setattr(module, "POLL_SECONDS", poll)
            feed = asyncio.create_task(drive(app, FEED))
            await asyncio.sleep(poll * 1.5)  # the feed is running, between two polls
            start, before = time.perf_counter(), cpu_wait()  # only the requests are timed
            statuses = asyncio.create_task(three_statuses())
            # the verdict is known once they have taken three polls: wait that long, no longer
            await asyncio.wait({statuses}, timeout=poll * 3)
            took, after = time.perf_counter() - start, cpu_wait()
            held = None if before is None or after is None else after - before
            monitors.finish()  # the build passes at the feed's next poll, and its stream ends
            answered_all = statuses.done()
            if answered_all:
                statuses.result()  # a status that was not 200 fails here, with its message
            else:
                statuses.cancel()
                await asyncio.wait({statuses})
            return took, answered_all, alone, poll, held, await feed

        await warm_up(app, monitors)
        took, answered_all, alone, poll, _, seen = await calmest(
            attempt, lambda outcome: outcome[0] - 3 * outcome[3], tries=4, held=lambda o: o[4]
        )
    answered(seen, teach)
    how = "took" if answered_all else "were still not all answered after"
    assert took < 3 * poll, teach(
        f"While the feed waited between two polls ({poll * 1000:.0f} ms), three GET "
        f"/builds/7 {how} {took * 1000:.0f} ms; on its own one takes {alone * 1000:.1f} ms. "
        "The wait between polls holds the event loop: nothing else runs until it ends.",
        f"about as fast as on their own (less than three polls, {3 * poll * 1000:.0f} ms, for "
        "the three): wait with `await asyncio.sleep(...)`, which lets the loop serve other "
        "requests meanwhile",
    )


async def test_hang_up_stops_the_polling(
    module: ModuleType,
    make_client: ClientFactory,
    observed_app: Callable[[Any], Any],
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    app = observed_app(module.app)  # what it raises and answers is recorded for the screen
    poll = 0.005
    rounds = 6  # an orphan poller asks about once a round; a second time is enough to know
    monitors = use_monitor(module, monkeypatch, lesson, poll=poll, finish_after=None)
    async with make_client(module.app):
        give_up = 1.0  # a correct feed sends its second event one poll after the first
        seen = await drive(app, FEED, hang_up=lambda r: len(r.events) >= 2, give_up_after=give_up)
        answered(seen, teach)
        then = "ended the stream" if seen.finished_at is not None else "sent nothing more"
        assert seen.disconnected_at is not None, teach(
            f"Polling every {poll * 1000:.0f} ms, the feed sent {len(seen.events)} event(s) "
            f"for a build that never finishes, then {then} (watched for {give_up:.0f} s).",
            "status events for as long as the client listens",
        )
        at_hang_up = monitors.polls  # once the app has returned: its own shutdown is over
        start, waited = time.perf_counter(), 0
        while monitors.polls - at_hang_up <= 1 and waited < rounds:
            # timers fire in order: a poller sleeping `poll` wakes before each of these does,
            # however busy the machine (a wall-clock window could pass in one stall)
            await asyncio.sleep(poll)
            waited += 1
        after, watched = monitors.polls - at_hang_up, time.perf_counter() - start
        monitors.finish()  # a poller that outlived its client ends now, not in later checks
        assert after <= 1, teach(
            f"After the client hung up, the monitor was asked {after} more times in the next "
            f"{watched * 1000:.0f} ms (the feed polls every {poll * 1000:.0f} ms): something "
            "keeps polling for a client that is gone.",
            "no more polls once the stream ends (one already under way is fine): poll inside "
            "the generator, which FastAPI cancels on a hang-up, or stop the polling task when "
            "the generator ends",
        )
        # Once more, hanging up after the first event of a feed that polls every 250 ms: the
        # hang-up's cancellation then lands in the feed's wait between polls, whatever the load.
        monkeypatch.setattr(module, "POLL_SECONDS", 0.25)
        again = await drive(app, FEED, hang_up=lambda r: len(r.events) >= 1, give_up_after=give_up)
        monitors.finish()
    answered(again, teach)
    late = monitors.asked_while_cancelled
    assert not late, teach(
        "After the client hung up, the task that polls the monitor was cancelled, and it "
        f"asked the monitor {late} more time(s) while its cancellation was pending: probably "
        "something in the feed caught the `CancelledError` (`except asyncio.CancelledError`, "
        "`except BaseException`, a bare `except:`) and carried on polling for a client that "
        "is gone.",
        "the `CancelledError` ends the generator: clean up in `finally:` (or in `except "
        "asyncio.CancelledError:` that ends with `raise`), never catch it and go on",
    )
    swallowed = monitors.ended_uncancelled()
    assert not swallowed, teach(
        f"After the client hung up, {len(swallowed)} cancelled task(s) that polled the monitor "
        "ended normally, not cancelled: probably something in the feed caught the "
        "`CancelledError` and returned. A swallowed cancellation no longer reaches the code "
        "that asked for it (the server's disconnect handling here, a timeout or a shutdown "
        "elsewhere).",
        "let the `CancelledError` propagate: clean up in `finally:` (or in `except "
        "asyncio.CancelledError:` that ends with `raise`) instead of returning",
    )
