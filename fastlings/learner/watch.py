"""Watch mode, `fastlings` with no command: the learner's loop.

It shows the first exercise (in focus, in manifest order) that does not pass yet, runs its
checks, and shows the first failure's teaching message. It re-runs on every save (watchfiles)
or on Enter (`--manual`), and moves on with a short congratulation when the exercise passes.
Keys: h hint, l list, n next exercise, r re-run, q quit.

Checks run in a warm worker process (`fastlings.run.worker`) that already holds FastAPI and
friends, so a save costs only the checks themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from fastlings.course.manifest import Course, Entry, load_course
from fastlings.grading import ExerciseGrade, grade_exercise
from fastlings.learner.progress import ProgressCache, cache_key, cacheable, evaluate, peek
from fastlings.run.record import RunResult, read_report
from fastlings.run.spec import DEFAULT_TIMEOUT, RunSpec
from fastlings.ui import console, rel

if TYPE_CHECKING:
    from rich.console import Console

KEYS_HELP = "[dim]h[/] hint  [dim]l[/] list  [dim]n[/] next  [dim]r[/] re-run  [dim]q[/] quit"


# -- the worker ---------------------------------------------------------------------------------
class WorkerClient:
    """Talks to `python -m fastlings.run.worker`; replaces it when it dies or stops answering."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self.scratch = tempfile.TemporaryDirectory(prefix="fastlings-watch-")
        self.report = Path(self.scratch.name) / "report.json"
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ}
        env.pop("FASTLINGS_REPORT", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "fastlings.run.worker", str(self.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.root,
            env=env,
            text=True,
            bufsize=1,
        )
        self.lines = queue.Queue()
        stdout = process.stdout
        assert stdout is not None
        threading.Thread(target=self._pump, args=(stdout, self.lines), daemon=True).start()
        self.process = process
        return process

    @staticmethod
    def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._start()

    def args(self, entries: list[Entry]) -> list[str]:
        return RunSpec.for_entries(entries, "exercise", timeout=self.timeout).pytest_args(
            self.report
        )

    def run(self, entries: list[Entry], following: Entry | None = None) -> RunResult:
        """Run the checks of `entries`; prepare the next run for `following`."""
        entries = [e for e in entries if e.checks_path.is_file()]  # missing: "no check ran"
        if not entries:
            return RunResult(target="exercise")
        hard = self.timeout + 10 + 2 * len(entries)
        for _attempt in range(2):
            self.ensure_started()
            process = self.process
            assert process is not None and process.stdin is not None
            self.report.unlink(missing_ok=True)
            request = {
                "args": self.args(entries),
                "hard_timeout": hard,
                "next_args": self.args([following]) if following else None,
            }
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            except OSError:
                self.stop()
                continue
            answer = self._answer(hard + 30)
            if answer is None:  # the worker died or hung: replace it
                self.stop()
                continue
            status = answer.get("status")
            if status == "timeout":
                result = RunResult(target="exercise", timed_out=True)
                result.crashed = (
                    f"The checks did not finish within {hard:g}s and were stopped. Look for an "
                    "infinite loop, or a blocking call that never returns."
                )
                return result
            code = answer.get("code")
            return read_report(self.report, "exercise", code if isinstance(code, int) else None)
        result = RunResult(target="exercise")
        result.crashed = "The checks' worker process stopped unexpectedly."
        return result

    def _answer(self, timeout: float) -> dict[str, object] | None:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return None
            if line is None:
                return None
            data = json.loads(line)
            if isinstance(data, dict) and data.get("status") != "ready":
                return data

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def close(self) -> None:
        self.stop()
        self.scratch.cleanup()


# -- events -------------------------------------------------------------------------------------
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


# -- the loop -----------------------------------------------------------------------------------
class Watch:
    def __init__(
        self, root: Path, *, manual: bool, timeout: float = DEFAULT_TIMEOUT, out: Console | None
    ) -> None:
        self.root = root
        self.manual = manual
        self.out = out or console()
        self.worker = WorkerClient(root, timeout)
        self.events: queue.Queue[Event] = queue.Queue()
        self.stop = threading.Event()
        self.current: Entry | None = None
        self.interactive = self.out.is_terminal
        self.headed: str | None = None

    # course and focus are re-read on every use: a changed manifest is picked up at once
    @property
    def course(self) -> Course:
        return load_course(self.root)

    def focus(self) -> list[Entry]:
        from fastlings.workshop import focus

        return focus(self.course)

    def _refresh_current(self) -> Entry | None:
        if self.current is None:
            return None
        try:
            return self.course.entry(self.current.qualified_id)
        except KeyError:
            return None

    def first_unfinished(self, after: Entry | None = None) -> Entry | None:
        entries = self.focus()
        if after is not None:
            ids = [e.qualified_id for e in entries]
            index = ids.index(after.qualified_id) + 1 if after.qualified_id in ids else 0
            entries = entries[index:] + entries[:index]
        statuses = evaluate(entries, self.batch_runner)
        return next((e.entry for e in statuses if e.status != "passed"), None)

    def batch_runner(self, entries: list[Entry]) -> RunResult:
        """Run other exercises' checks, keeping the next run of the current one prepared."""
        return self.worker.run(entries, following=self._refresh_current())

    def run_current(self) -> None:
        entry = self._refresh_current()
        if entry is None:
            return
        self.current = entry
        key = cache_key(entry)  # before the run: a save during the run must not take its result
        run = self.worker.run([entry], following=entry)
        grade = grade_exercise(entry, [] if run.crashed else run.for_entry(entry), run.crashed)
        self.show_result(entry, grade)
        self.remember(entry, key, grade, run)
        if grade.passed:
            self.advance(entry)

    def remember(self, entry: Entry, key: str, grade: ExerciseGrade, run: RunResult) -> None:
        if not cacheable(entry, run):
            return
        cache = ProgressCache(self.root)
        # whether a failing file is the untouched starter is left for `list` to find out
        cache.store(entry, key, False if grade.passed else None, grade)
        cache.save()

    def advance(self, passed: Entry) -> None:
        following = self.first_unfinished(after=passed)
        if following is None:
            total = len(self.focus())
            self.out.print(
                f"\n[bold green]Every exercise passes ({total}/{total}). Well done![/] "
                "Watching for more changes; [bold]q[/] quits."
            )
            return
        self.out.print(f"\nNext up: [bold]{following.id}[/]. Running its checks...")
        self.current = following
        self.run_current()

    def header(self, entry: Entry) -> None:
        from rich.markup import escape

        if self.interactive:
            self.out.clear()
        statuses = peek(self.focus())  # the cache only: nothing is run for the header
        done = sum(s == "passed" for s in statuses.values())
        self.out.print(
            f"[bold]Fastlings[/]  {done}/{len(statuses)} exercises done  ·  "
            f"[bold]{escape(entry.chapter.title)}[/] > {escape(entry.exercise.title)}"
        )
        self.out.print(f"Edit [bold]{rel(entry.exercise_path, self.root)}[/]")

    def show_result(self, entry: Entry, grade: ExerciseGrade) -> None:
        from fastlings.learner.report import show

        if self.interactive or self.headed != entry.qualified_id:
            self.header(entry)  # on a terminal, a fresh screen; in a pipe, when it changes
            self.headed = entry.qualified_id
        show(self.out, entry, grade, target_file=rel(entry.exercise_path, self.root))
        if grade.passed:
            self.out.print(
                f"[bold green]Well done: {entry.id} passes![/] +{grade.points_earned} points."
            )
        hint_keys = "Enter re-runs  " if self.manual else "Save to re-run  "
        self.out.print(f"[dim]{hint_keys}[/]{KEYS_HELP}")

    # -- keys -----------------------------------------------------------------------------------
    def on_key(self, key: str) -> bool:
        """Handle one key; False means quit."""
        from fastlings.learner import hints, listing

        key = key.lower()
        entry = self._refresh_current()
        if key == "q":
            return False
        if key in ("r", "\n", "\r"):
            self.run_current()
        elif key == "h" and entry is not None:
            count, new = hints.reveal(entry)
            self.out.print(hints.render(entry, count, new))
        elif key == "l":
            listing.show(
                self.out,
                evaluate(self.focus(), self.batch_runner),
                current=entry.qualified_id if entry else None,
            )
        elif key == "n" and entry is not None:
            following = self.first_unfinished(after=entry) or entry
            entries = self.focus()
            if following.qualified_id == entry.qualified_id:
                ids = [e.qualified_id for e in entries]
                index = ids.index(entry.qualified_id) if entry.qualified_id in ids else -1
                following = entries[(index + 1) % len(entries)]
            self.current = following
            self.out.print(f"Skipping to [bold]{following.id}[/]...")
            self.run_current()
        return True

    def on_change(self, paths: set[str]) -> None:
        entry = self._refresh_current()
        if entry is None:
            return
        mine = {str(entry.exercise_path.resolve()), str(entry.checks_path.resolve())}
        if paths & mine:
            self.run_current()

    # -- main loop ----------------------------------------------------------------------------
    def loop(self) -> int:
        self.worker.ensure_started()
        with cbreak(sys.stdin) as raw:
            threading.Thread(
                target=read_keys, args=(sys.stdin, self.events, raw), daemon=True
            ).start()
            if not self.manual:
                threading.Thread(
                    target=watch_files, args=(self.root, self.events, self.stop), daemon=True
                ).start()
            entries = self.focus()
            self.current = self.first_unfinished() or (entries[-1] if entries else None)
            if self.current is None:
                self.out.print("This course has no exercise in focus.")
                return 0
            self.run_current()
            while True:
                event = self.events.get()
                if event.kind == "key":
                    if not self.on_key(event.value):
                        return 0
                    continue
                changed = {event.value}
                while True:  # an editor's save is often several events: take them all
                    try:
                        more = self.events.get(timeout=0.01)
                    except queue.Empty:
                        break
                    if more.kind == "key":
                        self.events.put(more)
                        break
                    changed.add(more.value)
                self.on_change(changed)

    def close(self) -> None:
        self.stop.set()
        self.worker.close()


def watch(root: Path, *, manual: bool, timeout: float = DEFAULT_TIMEOUT) -> int:
    session = Watch(root, manual=manual, timeout=timeout, out=None)
    try:
        return session.loop()
    except KeyboardInterrupt:
        session.out.print("\nBye: nothing was changed.")
        return 0
    finally:
        session.close()
