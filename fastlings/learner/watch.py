"""Watch mode, `fastlings` with no command: the learner's loop.

It shows the first exercise (in focus, in manifest order) that does not pass yet, runs its
checks, and shows the first failure's teaching message. It re-runs on every save (watchfiles)
or on Enter (`--manual`), and moves on with a short congratulation when the exercise passes.
Keys: h hint, l list, n next exercise, r re-run, q quit.

Checks run in a warm worker process (`fastlings.run.worker`) that already holds FastAPI and
friends, so a save costs only the checks themselves.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fastlings.course.manifest import Course, Entry, load_course
from fastlings.grading import ExerciseGrade, grade_exercise
from fastlings.learner.progress import cache_key, evaluate, peek, remember
from fastlings.learner.watch_events import Event, cbreak, read_keys, watch_files, watch_mtime
from fastlings.run.record import RunResult
from fastlings.run.spec import DEFAULT_TIMEOUT
from fastlings.run.warm import WorkerClient
from fastlings.ui import console, rel

if TYPE_CHECKING:
    from rich.console import Console

KEYS_HELP = "[dim]h[/] hint  [dim]l[/] list  [dim]n[/] next  [dim]r[/] re-run  [dim]q[/] quit"


class Watch:
    def __init__(
        self,
        root: Path,
        *,
        manual: bool,
        timeout: float = DEFAULT_TIMEOUT,
        out: Console | None,
        poll: bool = False,
        edit_cmd: str | None = None,
    ) -> None:
        self.root = root
        self.edit_cmd = edit_cmd
        self.opened: str | None = None
        self.manual = manual
        self.poll = poll
        self.seen: dict[str, float] = {}
        self.told_missed = False
        self.out = out or console()
        self.worker = WorkerClient(root, timeout)
        self.events: queue.Queue[Event] = queue.Queue()
        self.stop = threading.Event()
        self.current: Entry | None = None
        self.interactive = self.out.is_terminal
        self.headed: str | None = None
        self.waiting: Entry | None = None
        """The next exercise, once the current one passed: "Well done" stays on screen until
        a key is pressed or a file is saved."""

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
        started = time.perf_counter()
        run = self.worker.run([entry], following=entry)
        grade = grade_exercise(entry, [] if run.crashed else run.for_entry(entry), run.crashed)
        from fastlings.dashboard.client import record

        record(self.root, [grade], time.perf_counter() - started, wait=True)
        self.show_result(entry, grade)
        remember(self.root, entry, key, grade, run)
        if grade.passed:
            self.advance(entry)

    def advance(self, passed: Entry) -> None:
        following = self.first_unfinished(after=passed)
        if following is None:
            total = len(self.focus())
            self.out.print(
                f"\n[bold green]Every exercise passes ({total}/{total}). Well done![/] "
                "Watching for more changes; [bold]q[/] quits."
            )
            return
        self.waiting = following
        self.out.print(
            f"\nNext up: [bold]{following.id}[/]. Press Enter (or any key, or save a file) "
            "to start it; [bold]q[/] quits."
        )

    def start_waiting(self) -> None:
        """Move on to the exercise that `advance` announced."""
        assert self.waiting is not None
        self.current, self.waiting = self.waiting, None
        self.run_current()

    def footer(self) -> None:
        hint_keys = "Enter re-runs  " if self.manual else "Save to re-run  "
        self.out.print(f"[dim]{hint_keys}[/]{KEYS_HELP}")

    def header(self, entry: Entry) -> None:
        from fastlings.learner.edit import open_in_background
        from fastlings.learner.report import watch_header

        if self.interactive:
            self.out.clear()
        statuses = peek(self.focus())  # the cache only: nothing is run for the header
        self.out.print(watch_header(entry, statuses, self.root))
        if self.edit_cmd and self.opened != entry.qualified_id:
            self.opened = entry.qualified_id
            problem = open_in_background(self.edit_cmd, entry.exercise_path)
            if problem:
                self.out.print(f"[yellow]{problem}[/]")

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
        self.footer()

    # -- keys -----------------------------------------------------------------------------------
    def on_key(self, key: str) -> bool:
        """Handle one key; False means quit."""
        from fastlings.learner import hints, listing

        key = key.lower()
        entry = self._refresh_current()
        if key == "q":
            return False
        if self.waiting is not None:
            self.start_waiting()
            return True
        if key in ("r", "\n", "\r"):
            self.run_current()
        elif key == "h" and entry is not None:
            count, new = hints.reveal(entry)
            self.out.print(hints.render(entry, count, new))
            self.footer()
        elif key == "l":
            listing.show(
                self.out,
                evaluate(self.focus(), self.batch_runner),
                current=entry.qualified_id if entry else None,
            )
            self.footer()
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

    def _current_file(self) -> Path | None:
        return self.current.exercise_path if self.current is not None else None

    def on_missed(self, path: str) -> None:
        """A save the file watcher never reported: say so once, and run the checks anyway."""
        if not self.told_missed:
            self.told_missed = True
            self.out.print(
                "[yellow]Your save produced no file event[/] (some network and container file "
                "systems send none). Checking it anyway; next time start with "
                "[bold]fastlings --poll[/] (polling) or [bold]fastlings --manual[/] (Enter "
                "re-runs)."
            )
        self.on_change({path})

    def on_change(self, paths: set[str]) -> None:
        if self.waiting is not None:
            self.start_waiting()
            return
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
                    target=watch_files,
                    args=(self.root, self.events, self.stop),
                    kwargs={"poll": self.poll},
                    daemon=True,
                ).start()
                threading.Thread(
                    target=watch_mtime,
                    args=(self._current_file, self.seen, self.events, self.stop),
                    daemon=True,
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
                if event.kind == "missed":
                    self.on_missed(event.value)
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
                now = time.time()
                self.seen.update(dict.fromkeys(changed, now))
                self.on_change(changed)

    def close(self) -> None:
        self.stop.set()
        self.worker.close()


def watch(
    root: Path,
    *,
    manual: bool,
    timeout: float = DEFAULT_TIMEOUT,
    poll: bool = False,
    edit_cmd: str | None = None,
) -> int:
    session = Watch(root, manual=manual, timeout=timeout, out=None, poll=poll, edit_cmd=edit_cmd)
    try:
        return session.loop()
    except KeyboardInterrupt:
        session.out.print("\nBye: nothing was changed.")
        return 0
    finally:
        session.close()
