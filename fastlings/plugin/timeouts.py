"""Timeouts: pytest-timeout decides when a check has run too long; this part says where.

The message names the line of the learner's file that was running. The alarm fires again every
second until the check ends: code that loops without ever awaiting, in a task the check does
not await itself (a WebSocket handler, a task the app started), is stopped one task at a time,
and the check is reported as timed out whatever it did next. A backstop ends the process when
the hang is in a thread that cannot be interrupted; it first writes the report, and says why
on the terminal, so the learner's screen is never empty.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Generator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from fastlings.plugin.keys import kind_key, learner_file_key, timeout_message_key

AGAIN = 1.0
"""Seconds between the alarms after the first, until the check ends."""

_TERMINAL = os.dup(2)
"""The process's stderr as it was when the plugin was imported, before pytest captured it (and
before an in-process runner swallowed its output): where the backstop's last words go."""


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None
    seconds = float(settings.timeout)

    def last_resort() -> None:  # the hang is in a thread we cannot interrupt
        message = item.stash.get(timeout_message_key, "")
        _write_report(item, message)
        os.write(
            _TERMINAL,
            (
                f"\n{item.nodeid}: still running {seconds + 5:.0f}s after its timeout; stopping "
                f"the run. The code under check loops forever or blocks in a worker thread.\n"
                f"{message}\n"
            ).encode(),
        )
        os._exit(1)

    backstop = threading.Timer(seconds + 5, last_resort)
    backstop.daemon = True

    def handler(signum: int, frame: FrameType | None) -> None:
        item.stash[kind_key] = "timeout"
        first = timeout_message_key not in item.stash
        if first:
            item.stash[timeout_message_key] = _timeout_message(item, seconds, frame)
            backstop.start()
        signal.setitimer(signal.ITIMER_REAL, AGAIN)  # until cancel(): the next spinning task
        # Never inside `ast.parse` (pytest's and the traceback module's, formatting a failure):
        # an exception raised there breaks CPython 3.11.7's parser for the rest of the run
        # (gh-106905). After the first alarm, only code under check is interrupted.
        if _parsing(frame):
            return
        if first or _under_check(frame, item.stash.get(learner_file_key, None)):
            pytest.fail(item.stash[timeout_message_key], pytrace=False)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        backstop.cancel()

    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return True


def _parsing(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "parse" and frame.f_code.co_filename.endswith("ast.py"):
            return True
        frame = frame.f_back
    return False


def _under_check(frame: FrameType | None, learner: Path | None) -> bool:
    """The interrupted code is the learner's, or runs inside an event loop (an app's task)."""
    while frame is not None:
        code = frame.f_code
        if learner is not None and Path(code.co_filename) == learner:
            return True
        if code.co_name == "_run_once" and code.co_filename.endswith("base_events.py"):
            return True
        frame = frame.f_back
    return False


_finished: set[str] = set()
"""The checks whose setup, call and teardown are over (their timer may now be cancelled)."""


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> bool | None:
    """pytest-timeout also cancels the timer when a check fails (for post-mortem pdb): its
    teardown would then run with no time limit, and a task that will not be cancelled hangs
    there for ever. The timer is kept until the check is over, unless pdb is wanted."""
    if item.nodeid in _finished or item.config.getoption("usepdb", False):
        _finished.discard(item.nodeid)
        return None  # pytest-timeout's own hook cancels it
    return True


def pytest_runtest_logfinish(nodeid: str) -> None:
    _finished.add(nodeid)


@pytest.hookimpl(wrapper=True, trylast=True)  # inside pytest-timeout's: still timed
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:
        if timeout_message_key in item.stash:
            # The tasks the alarm stopped hold their exception; collected later, asyncio would
            # log "Task exception was never retrieved" with a traceback from inside whatever
            # runs then, pytest's own `ast.parse` included (see `_parsing`). Now, it is harmless.
            gc.collect()


def _write_report(item: pytest.Item, message: str) -> None:
    """The results so far, and this check as timed out, for a runner reading the report."""
    collector = item.config.pluginmanager.get_plugin("fastlings-results")
    if collector is not None:
        collector.write_now(item, message)


def _timeout_message(item: pytest.Item, seconds: float, frame: FrameType | None) -> str:
    learner = item.stash.get(learner_file_key, None)
    where = None
    frames: list[FrameType] = []
    if frame is not None:
        frames.append(frame)
    frames.extend(f for t, f in sys._current_frames().items() if t != threading.get_ident())
    for top in frames:
        current: FrameType | None = top
        while current is not None:
            if learner is not None and Path(current.f_code.co_filename) == learner:
                where = f"{_rel(learner)}:{current.f_lineno} (in {current.f_code.co_name})"
                break
            current = current.f_back
        if where:
            break
    hint = f"It was running {where}." if where else "It never returned control to the check."
    return (
        f"Timed out after {seconds:g}s. {hint}\n"
        "Look there for an infinite loop, or a blocking call that never finishes."
    )


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
