"""Watch mode, driven like a learner would: write files, press keys, read the output."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import FASTLINGS, FIRST, SECOND, exercise_file, flat, solution_file
from tests.test_check import hang_in_a_worker_thread

pytestmark = pytest.mark.slow


class Session:
    def __init__(self, root: Path, *args: str) -> None:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
        self.process = subprocess.Popen(
            [*FASTLINGS, *args],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        assert self.process.stdout is not None
        stream = self.process.stdout
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)

    def expect(self, text: str, timeout: float = 30) -> str:
        """Wait until the output (from the last match on) contains `text`."""
        deadline = time.monotonic() + timeout
        chunk: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            chunk.append(line)
            self.seen.append(line)
            if text in flat("".join(chunk)):
                return "".join(chunk)
        raise AssertionError(f"no {text!r} in the output:\n{''.join(self.seen)}")

    def press(self, keys: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(keys + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def session_factory() -> Iterator[list[Session]]:
    sessions: list[Session] = []
    yield sessions
    for session in sessions:
        session.close()


def start(sessions: list[Session], root: Path, *args: str) -> Session:
    session = Session(root, *args)
    sessions.append(session)
    return session


def test_the_loop_from_failure_to_next_exercise(
    course: Path, session_factory: list[Session]
) -> None:
    watch = start(session_factory, course)
    first = watch.expect("Save to re-run")
    assert f"Edit exercises/ch01_endpoint_structure/{FIRST}.py" in flat(first)
    assert "Expected:" in flat(first)
    watch.press("h")
    watch.expect("Hint 1/")
    watch.expect("Save to re-run")  # the footer again, below the hint
    # a syntax error: a short panel, and the loop goes on
    path = exercise_file(course)
    path.write_text(path.read_text().replace("import os", "import os(", 1))
    broken = watch.expect("Save to re-run")
    assert "does not import" in flat(broken) and "SyntaxError" in flat(broken)
    # the fix: congratulations, then on to the next exercise
    path.write_bytes(solution_file(course).read_bytes())
    watch.expect(f"Well done: {FIRST} passes!")
    watch.expect(f"Next up: {SECOND}")
    time.sleep(1.5)  # "Well done" stays: nothing runs until a key or a save
    assert watch.lines.empty(), watch.lines.get()
    watch.press("")
    watch.expect(f"✗ {SECOND}")
    watch.press("l")
    listing = watch.expect("score 10/20 points")
    assert "passed" in listing and "not started" in listing
    watch.expect("Save to re-run")  # the footer again, below the list
    watch.press("n")
    watch.expect(f"Skipping to {FIRST}")
    watch.expect(f"✓ {FIRST}")
    watch.press("q")
    assert watch.process.wait(timeout=20) == 0
    assert "Traceback" not in "".join(watch.seen)


def test_manual_mode_runs_on_enter(course: Path, session_factory: list[Session]) -> None:
    watch = start(session_factory, course, "--manual")
    watch.expect("Enter re-runs")
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    time.sleep(1.0)
    assert all("passes!" not in line for line in watch.seen + list(watch.lines.queue))
    watch.press("")
    watch.expect(f"Well done: {FIRST} passes!")
    watch.press("q")
    assert watch.process.wait(timeout=20) == 0


def test_a_hanging_exercise_is_stopped_and_the_loop_goes_on(
    course: Path, session_factory: list[Session]
) -> None:
    watch = start(session_factory, course, "--timeout", "1")
    watch.expect("Save to re-run")
    path = exercise_file(course)
    starter = path.read_text()
    path.write_text(starter + "\nwhile True:\n    pass\n")
    hung = watch.expect("Save to re-run", timeout=40)
    assert "Timed out after 1s" in flat(hung)
    path.write_text(starter)
    hang_in_a_worker_thread(path)
    in_thread = watch.expect("Save to re-run", timeout=40)
    assert "Timed out after 1s" in flat(in_thread) and "(in create_user)" in flat(in_thread)
    path.write_bytes(solution_file(course).read_bytes())
    watch.expect(f"Well done: {FIRST} passes!", timeout=40)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_ctrl_c_exits_cleanly_and_touches_nothing(
    course: Path, session_factory: list[Session]
) -> None:
    before = {p: p.read_bytes() for p in (course / "exercises").rglob("*.py")}
    watch = start(session_factory, course)
    watch.expect("Save to re-run")
    watch.process.send_signal(signal.SIGINT)
    assert watch.process.wait(timeout=20) == 0
    rest = "".join(watch.seen) + "".join(list(watch.lines.queue))
    time.sleep(0.2)
    assert "Traceback" not in rest
    assert {p: p.read_bytes() for p in (course / "exercises").rglob("*.py")} == before


def test_an_edited_checks_file_is_collected_again(
    course: Path, session_factory: list[Session]
) -> None:
    watch = start(session_factory, course)
    watch.expect("Save to re-run")
    time.sleep(1.0)  # the next run is prepared (collected) by now
    checks = course / "checks" / "ch01_endpoint_structure" / f"test_{FIRST}.py"
    text = checks.read_text()
    assert "with a valid user answered" in text
    checks.write_text(text.replace("with a valid user answered", "(edited check) answered"))
    edited = watch.expect("Save to re-run")
    assert "(edited check) answered" in flat(edited)


def test_poll_mode_sees_a_save(course: Path, session_factory: list[Session]) -> None:
    watch = start(session_factory, course, "--poll")
    watch.expect("Save to re-run")
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    watch.expect(f"Well done: {FIRST} passes!")
    watch.press("q")
    assert watch.process.wait(timeout=20) == 0


def test_a_save_without_a_file_event_is_noticed(tmp_path: Path) -> None:
    from fastlings.learner.watch_events import Event, watch_mtime

    path = tmp_path / "ex.py"
    path.write_text("a = 1\n")
    events: queue.Queue[Event] = queue.Queue()
    stop = threading.Event()
    seen: dict[str, float] = {}
    thread = threading.Thread(
        target=watch_mtime, args=(lambda: path, seen, events, stop), kwargs={"grace": 0.2}
    )
    thread.start()
    try:
        time.sleep(0.7)
        path.write_text("a = 2\n")  # no watcher reports it
        event = events.get(timeout=5)
        assert event == Event("missed", str(path.resolve()))
        path.write_text("a = 3\n")
        seen[str(path.resolve())] = time.time() + 1  # this save had its event
        time.sleep(1.5)
        assert events.empty()
    finally:
        stop.set()
        thread.join(timeout=5)
