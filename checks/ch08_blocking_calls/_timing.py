"""Measuring tools the chapter 8 checks share: an event-loop heartbeat and a concurrent burst.

Two different failures look alike from outside, and the checks tell them apart:

- a **blocked event loop** (a synchronous wait inside `async def`): the heartbeat task stalls
  for as long as the wait, and concurrent requests run one after another;
- requests **serialised without blocking** (a lock, one shared connection): the heartbeat keeps
  ticking, but concurrent requests still take N times as long as one.

Every timing is judged against the delay the check itself injects, with a lower bound too (a
request faster than the injected delay never made the slow call) and wide ratio margins: CI has
2 cores and other work runs beside the checks. Waits are short (a few tens of milliseconds), so
that even a starter that serialises everything answers within a fraction of a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DELAY = 0.02  # seconds the slow part (database, service, sleep) takes per call in the checks
CONCURRENT = 5  # requests in one burst: well under anyio's 40 worker threads
MAX_RATIO = 3.0  # a burst of 5 that overlaps takes ~1-1.5x one request; a serialised one ~5x
CLEARLY_SERIAL = 4.6  # at or above this ratio a second measurement cannot change the verdict
BEAT = 0.002  # the heartbeat sleeps 2 ms between ticks
STALL_LIMIT = DELAY * 0.75  # a blocked loop stalls for a whole wait (DELAY) every time; noise less


@dataclass
class Heartbeat:
    """The longest time the event loop went without running the heartbeat task."""

    longest_stall: float = 0.0


@asynccontextmanager
async def heartbeat() -> AsyncIterator[Heartbeat]:
    """Run a task that sleeps BEAT in a loop and records how late each wake-up was.

    A loop that keeps serving wakes it up every few milliseconds; a loop blocked by a
    synchronous call cannot, and the stall shows up as one long gap.
    """
    found = Heartbeat()
    stop = asyncio.Event()

    async def beat() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(BEAT)
            now = time.perf_counter()
            found.longest_stall = max(found.longest_stall, now - last - BEAT)
            last = now

    task = asyncio.create_task(beat())
    await asyncio.sleep(0)  # let it start before the work does
    try:
        yield found
    finally:
        await asyncio.sleep(BEAT)  # one last tick observes a stall that ended the work
        stop.set()
        await task


async def timed(work: Awaitable[T]) -> tuple[T, float]:
    """Await `work`; return its result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = await work
    return result, time.perf_counter() - start


@dataclass
class Burst(Generic[T]):
    """One request alone, then CONCURRENT together, with the heartbeat running throughout."""

    single: float
    together: float
    stall: float
    responses: list[T] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.together / self.single if self.single > 0 else float("inf")


async def burst(send: Callable[[], Awaitable[T]], attempts: int = 2) -> Burst[T]:
    """Measure one request, then CONCURRENT at once; measure again (up to `attempts`) only
    while the verdict is in doubt, so a clearly serialised app costs one measurement."""
    found: Burst[T] | None = None
    for _attempt in range(attempts):
        async with heartbeat() as loop:
            first, single = await timed(send())
            _again, single_again = await timed(send())  # the quicker of two: a busy machine
            single = min(single, single_again)  # can slow one down, which would hide a 5x
            many, together = await timed(asyncio.gather(*(send() for _ in range(CONCURRENT))))
        found = Burst(single, together, loop.longest_stall, [first, *many])
        if found.ratio < MAX_RATIO or found.ratio >= CLEARLY_SERIAL:
            break
    assert found is not None
    return found


async def calmest_stall(send: Callable[[], Awaitable[T]], attempts: int = 3) -> tuple[T, float]:
    """The longest stall while one request runs; retried (a busy machine can stall any loop
    once) until a run stays under STALL_LIMIT. Returns the last response and its stall."""
    response: T | None = None
    stall = float("inf")
    for _attempt in range(attempts):
        async with heartbeat() as loop:
            response = await send()
        stall = min(stall, loop.longest_stall)
        if stall < STALL_LIMIT:
            break
    assert response is not None
    return response, stall


class Measured(Generic[T]):
    """One burst per checks file and run, shared by its two checks (they judge the same code:
    one by the ratio, one by the stall), so a starter pays for one serialised burst only.
    Hold it in a module-scoped fixture: a fresh one per run, never carried between runs."""

    def __init__(self) -> None:
        self.found: Burst[T] | None = None

    async def burst(self, send: Callable[[], Awaitable[T]]) -> Burst[T]:
        if self.found is None:
            self.found = await burst(send)
        return self.found

    async def stall(self, send: Callable[[], Awaitable[T]]) -> tuple[T, float]:
        """The loop's longest stall: from the shared burst when it is conclusive (no stall, or
        one as long as the whole burst's waits one after another, which a blocked loop always
        shows and a scheduling hiccup practically never does), else the calmest of up to three
        single requests: a blocked loop stalls for a whole wait every time, noise does not."""
        found = await self.burst(send)
        if found.stall < STALL_LIMIT or found.stall >= 0.8 * CONCURRENT * DELAY:
            return found.responses[0], found.stall
        return await calmest_stall(send)


def too_fast(seconds: float) -> bool:
    """Faster than the injected delay: the slow call did not happen during the request."""
    return seconds < DELAY * 0.8


def serialised_cause(found: Burst[Any]) -> str:
    """What the heartbeat saw while the burst ran: a blocked loop, or a loop that ticked on."""
    if found.stall >= DELAY * 0.8:  # at least one whole wait: a blocked loop, not a hiccup
        return (
            f"the event loop stood still for up to {found.stall * 1000:.0f} ms at a time: each "
            "wait blocked it, so the requests could only run one after another"
        )
    return (
        f"the event loop kept ticking (longest stall {found.stall * 1000:.0f} ms, less than one "
        "wait), so nothing blocked it: something makes the requests wait for each other "
        "instead, probably a lock or one connection or client shared by all requests"
    )
