"""Measuring tools the chapter 8 checks share: concurrent timing and an event-loop heartbeat.

Not a checks file (its name does not start with `test_`): the checks import it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

CONCURRENT = 10  # well under anyio's 40 worker threads, so a plain `def` endpoint is not capped
MAX_RATIO = 4.0  # ten overlapping requests take ~1x one request; ten serialised ones ~10x
BEAT = 0.01  # the heartbeat sleeps 10 ms between ticks


async def timed(work: Awaitable[T]) -> tuple[T, float]:
    """Await `work`; return its result and the wall-clock seconds it took."""
    start = time.perf_counter()
    result = await work
    return result, time.perf_counter() - start


async def one_then_many(send: Callable[[], Awaitable[T]]) -> tuple[T, list[T], float, float]:
    """Time one request alone, then `CONCURRENT` requests fired together with `gather`."""
    first, single = await timed(send())
    many, together = await timed(asyncio.gather(*(send() for _ in range(CONCURRENT))))
    return first, list(many), single, together


@dataclass
class Heartbeat:
    """The longest time the event loop went without running the heartbeat task."""

    longest_stall: float = 0.0


@asynccontextmanager
async def heartbeat() -> AsyncIterator[Heartbeat]:
    """Run a task that sleeps 10 ms in a loop and records how late each wake-up was.

    A loop that keeps serving wakes it up every ~10 ms; a loop blocked by a synchronous call
    cannot, and the stall shows up as one long gap.
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
