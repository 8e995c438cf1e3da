"""Timeouts: pytest-timeout decides when a check has run too long; this part says where.

The message names the line of the learner's file that was running, and a backstop ends the
process when the hang is in a thread that cannot be interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from fastlings.plugin.keys import kind_key, learner_file_key


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> bool | None:
    if settings.method != "signal" or threading.current_thread() is not threading.main_thread():
        return None
    seconds = float(settings.timeout)

    def last_resort() -> None:  # the hang is in a thread we cannot interrupt
        sys.stderr.write(
            f"\n{item.nodeid}: still running {seconds + 5:.0f}s after its timeout; stopping "
            "the run. The code under check loops forever or blocks in a worker thread.\n"
        )
        sys.stderr.flush()
        os._exit(1)

    backstop = threading.Timer(seconds + 5, last_resort)
    backstop.daemon = True

    def handler(signum: int, frame: FrameType | None) -> None:
        item.stash[kind_key] = "timeout"
        backstop.start()
        pytest.fail(_timeout_message(item, seconds, frame), pytrace=False)

    def cancel() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        backstop.cancel()

    item.cancel_timeout = cancel  # type: ignore[attr-defined]
    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return True


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
