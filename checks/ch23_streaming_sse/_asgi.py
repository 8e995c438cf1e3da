"""Watching a streamed response as it arrives, and reading server-sent events by the spec.

httpx's `ASGITransport` (0.28) collects the whole response before it hands over the first
byte, so it cannot tell a stream from a buffered answer. `drive` calls the ASGI app itself,
records when each message is sent, and can hang up (send `http.disconnect`) mid-stream the way
a browser that closes its tab does. The scope says ASGI spec 2.3, as uvicorn does: Starlette then
listens for the disconnect and cancels the response.

Not a checks file (its name does not start with `test_`): the checks import it.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ASGIApp = Callable[..., Any]
T = TypeVar("T")


@dataclass
class Event:
    """One dispatched server-sent event, as a browser's EventSource would see it."""

    event: str
    data: str
    id: str | None
    retry: int | None
    at: float
    """Seconds after the request was sent when the event's last byte arrived."""


@dataclass
class Recording:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    finished_at: float | None = None
    """When the app sent the last body message (`more_body` false); None if it never did."""
    disconnected_at: float | None = None
    returned: bool = False
    """Whether the app's ASGI call returned within the time allowed."""
    error: BaseException | None = None

    @property
    def body(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def trouble(self) -> str:
        """Words for an exception the app raised while streaming ("" when it raised none)."""
        error = self.error
        if error is None:
            return ""
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]  # the task groups of the stream wrap the real one
        return f" (the endpoint raised {type(error).__name__}: {str(error)[:300]})"


class EventStreamParser:
    """The event-stream interpretation of the HTML standard (section 9.2.6), fed in pieces."""

    LINE = re.compile(r"\r\n|\r|\n")

    def __init__(self) -> None:
        self._pending = ""
        self._data: list[str] = []
        self._type = ""
        self._last_id: str | None = None
        self._retry: int | None = None
        self.comments: list[str] = []

    def feed(self, text: str, at: float) -> list[Event]:
        self._pending += text
        lines = self.LINE.split(self._pending)
        # a trailing "\r" may be the first half of "\r\n": keep it with the unfinished line
        self._pending = lines.pop()
        dispatched: list[Event] = []
        for line in lines:
            event = self._line(line, at)
            if event is not None:
                dispatched.append(event)
        return dispatched

    def _line(self, line: str, at: float) -> Event | None:
        if line == "":
            return self._dispatch(at)
        if line.startswith(":"):
            self.comments.append(line[1:].strip())
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._type = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._last_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self, at: float) -> Event | None:
        data, kind, retry = self._data, self._type, self._retry
        self._data, self._type, self._retry = [], "", None
        if not data:
            return None
        return Event(kind or "message", "\n".join(data), self._last_id, retry, at)


def _scope(path: str, headers: Mapping[str, str]) -> dict[str, Any]:
    raw_path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"test")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
        "state": {},
    }


async def drive(
    app: ASGIApp,
    path: str,
    *,
    headers: Mapping[str, str] | None = None,
    hang_up: Callable[[Recording], bool] | None = None,
    give_up_after: float = 1.0,
    linger: float = 0.2,
) -> Recording:
    """GET `path` from `app`, recording each response message with its arrival time.

    `hang_up(recording)` is asked after every body message; when it says True the client
    disconnects. The call returns when the app returns, `give_up_after` seconds after the start, or
    `linger` seconds after the hang-up, whichever comes first. The checks' streams last tens of
    milliseconds, so the default bounds are generous and still end a stream that never would.
    """
    recording = Recording()
    parser = EventStreamParser()
    start = time.perf_counter()
    request_sent = False
    gone = asyncio.Event()

    def now() -> float:
        return time.perf_counter() - start

    async def receive() -> dict[str, Any]:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        at = now()
        if gone.is_set():
            raise OSError("the client has gone away")  # what a server does after a hang-up
        if message["type"] == "http.response.start":
            recording.status = message["status"]
            recording.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]
            }
        elif message["type"] == "http.response.body":
            chunk = bytes(message.get("body", b""))
            if chunk:
                recording.chunks.append((at, chunk))
                recording.events.extend(parser.feed(chunk.decode("utf-8", errors="replace"), at))
            if not message.get("more_body", False):
                recording.finished_at = at
            elif hang_up is not None and hang_up(recording):
                recording.disconnected_at = at
                gone.set()

    task = asyncio.create_task(app(_scope(path, headers or {}), receive, send))
    deadline = asyncio.create_task(_deadline(gone, give_up_after, linger))
    done, _ = await asyncio.wait({task, deadline}, return_when=asyncio.FIRST_COMPLETED)
    deadline.cancel()
    if task in done:
        recording.returned = True
        if not task.cancelled() and task.exception() is not None:
            recording.error = task.exception()
    else:
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)  # how the app ends no longer matters
    recording.comments = parser.comments
    return recording


async def _deadline(gone: asyncio.Event, give_up_after: float, linger: float) -> None:
    try:
        await asyncio.wait_for(gone.wait(), give_up_after)
    except TimeoutError:
        return
    await asyncio.sleep(linger)


def pace_miss(times: list[float], pace: float) -> float:
    """By how many seconds arrivals miss looking like items produced `pace` seconds apart and
    sent at once (below zero: they do not miss; infinite: fewer than two arrivals).

    Two bounds: the first arrives before half the time to the last one (an upper bound), and
    first and last are at least half the production time apart (a lower bound). A body sent
    whole at the end has its pieces arrive together and misses both. A stall of the machine
    moves either figure by at most its own length.
    """
    if len(times) < 2:
        return math.inf
    first, last = times[0], times[-1]
    return max(first - last / 2, pace * (len(times) - 1) / 2 - (last - first))


def paced(times: list[float], pace: float) -> bool:
    """Whether arrivals look like items produced `pace` seconds apart and sent at once."""
    return pace_miss(times, pace) < 0


SCHEDSTAT = Path("/proc/thread-self/schedstat")
SLACK = 0.002  # seconds of noise that no counter shows (a slower core, a collection)


def cpu_wait() -> float | None:
    """Seconds this thread has spent ready to run but waiting for a processor, or None.

    Linux counts it in the second field of `/proc/thread-self/schedstat` (nanoseconds). A thread
    that sleeps (`time.sleep`, an idle event loop) is not waiting for a processor; a thread that
    other processes keep off the CPU is.
    """
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


async def calmest(
    attempt: Callable[[], Awaitable[T]],
    miss: Callable[[T], float],
    tries: int = 3,
    held: Callable[[T], float | None] | None = None,
) -> T:
    """Run `attempt` until `miss` says it kept its time bound (below zero), at most `tries`
    times; the last result otherwise.

    `miss` says by how many seconds a try missed its bound. A busy machine can stall any event
    loop once in a while, so a failed try is tried again, unless the machine cannot explain
    it: a stall delays the figures by at most its own length, and when the try missed by more
    than twice the time this thread waited for a processor during it, another try would miss
    as well. `held(result)`, when given, is that wait over the part of the try that was timed
    (None where it cannot be read); otherwise it is read around the whole try. (Where the wait
    cannot be read, every failed try is tried again.)
    """
    for number in range(1, tries + 1):
        before = cpu_wait()
        result = await attempt()
        after = cpu_wait()
        missed = miss(result)
        if missed < 0 or number == tries:
            break
        if held is not None:
            waited = held(result)
        else:
            waited = None if before is None or after is None else after - before
        if waited is not None and missed > 2 * waited + SLACK:
            break  # the app's doing, not the machine's
    return result
