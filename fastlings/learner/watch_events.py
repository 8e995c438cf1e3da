"""What watch mode waits for: saved files (watchfiles) and key presses, as one queue of events."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Event:
    kind: str  # "change" | "key" | "missed" (a save that produced no file event)
    value: str


def watch_files(
    root: Path, events: queue.Queue[Event], stop: threading.Event, *, poll: bool = False
) -> None:
    """Put a "change" event for each saved .py file; `poll` uses watchfiles' own polling,
    for file systems that send no change notifications."""
    import watchfiles

    folders = [str(root / name) for name in ("exercises", "checks") if (root / name).is_dir()]

    def wanted(change: watchfiles.Change, path: str) -> bool:
        return path.endswith(".py")

    for changes in watchfiles.watch(
        *folders,
        watch_filter=wanted,
        debounce=400,
        step=20,
        stop_event=stop,
        yield_on_timeout=False,
        raise_interrupt=False,
        force_polling=poll,
        poll_delay_ms=300,
    ):
        for _change, path in changes:
            events.put(Event("change", str(Path(path).resolve())))


def read_keys(stream: IO[str], events: queue.Queue[Event], raw: bool) -> None:
    """Keys from the terminal (one at a time, cbreak mode) or, from a pipe, lines of keys."""
    if raw:
        fd = stream.fileno()
        while True:
            try:
                data = os.read(fd, 32)
            except OSError:
                return
            if not data:
                return
            for char in data.decode(errors="ignore"):
                events.put(Event("key", char))
    for line in stream:
        keys = line.strip()
        for char in keys or "\n":
            events.put(Event("key", char))


@contextlib.contextmanager
def cbreak(stream: IO[str]) -> Iterator[bool]:
    """Single key presses without Enter, when stdin is a terminal; restored on the way out."""
    try:
        import termios
        import tty
    except ImportError:  # Windows: keys still work with Enter
        yield False
        return
    if not stream.isatty():
        yield False
        return
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def watch_mtime(
    current: Callable[[], Path | None],
    seen: dict[str, float],
    events: queue.Queue[Event],
    stop: threading.Event,
    *,
    grace: float = 2.0,
) -> None:
    """A backstop for file systems that never send change events: when the current exercise
    file's modification time changes and no "change" event for it came within `grace`
    seconds (`seen` holds when each path last had one), put a "missed" event for it."""
    last: dict[str, float] = {}
    while not stop.wait(0.5):
        path = current()
        if path is None:
            continue
        key = str(path.resolve())
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        before = last.setdefault(key, mtime)
        if mtime != before and time.time() - mtime >= grace:
            last[key] = mtime
            if seen.get(key, 0.0) < mtime:
                events.put(Event("missed", key))
