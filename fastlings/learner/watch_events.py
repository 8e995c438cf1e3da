"""What watch mode waits for: saved files (watchfiles) and key presses, as one queue of events."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Event:
    kind: str  # "change" | "key"
    value: str


def watch_files(root: Path, events: queue.Queue[Event], stop: threading.Event) -> None:
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
