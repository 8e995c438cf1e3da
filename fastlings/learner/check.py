"""`fastlings check [EXERCISE] [--all] [--target solution]`: concise results, an exit code."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastlings.course.manifest import Course, Entry, Target
from fastlings.grading import grade_exercise
from fastlings.learner.progress import Evaluation, evaluate
from fastlings.run.inprocess import run_in_process
from fastlings.run.record import RunResult
from fastlings.run.spec import DEFAULT_TIMEOUT
from fastlings.ui import console, rel


def run_entries(
    course: Course,
    entries: list[Entry],
    target: Target = "exercise",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    db_server: str | None = None,
) -> list[Evaluation]:
    """Check `entries` now. The learner's results also refresh the progress cache."""

    def runner(batch: list[Entry]) -> RunResult:
        return run_in_process(batch, target, timeout=timeout, db_server=db_server)

    if target == "exercise" and db_server is None:
        return evaluate(entries, runner, need_grades=True, force=entries)
    run = runner(entries)
    graded = [
        grade_exercise(e, [] if run.crashed else run.for_entry(e), run.crashed) for e in entries
    ]
    return [
        Evaluation(e, "passed" if g.passed else "failing", g, cached=False)
        for e, g in zip(entries, graded, strict=True)
    ]


def check(
    course: Course,
    entries: list[Entry],
    target: Target = "exercise",
    *,
    timeout: float = DEFAULT_TIMEOUT,
    db_server: str | None = None,
) -> int:
    """Print the results; the exit code is 0 when every exercise passes, 1 otherwise."""
    from fastlings.learner.report import show, summary_line

    out = console()
    started = time.perf_counter()
    evaluations = run_entries(course, entries, target, timeout=timeout, db_server=db_server)
    if target == "exercise":
        from fastlings.dashboard.client import record

        ran = [e.grade for e in evaluations if e.grade is not None and not e.cached]
        record(course.root, ran, time.perf_counter() - started, wait=False)
    single = len(evaluations) == 1
    for evaluation in evaluations:
        grade = evaluation.grade
        assert grade is not None
        target_file = rel(evaluation.entry.source_path(target), course.root)
        if single:
            show(out, evaluation.entry, grade, target_file=target_file)
        else:
            out.print(summary_line(evaluation.entry, grade))
    if not single:
        passed = sum(e.status == "passed" for e in evaluations)
        earned = sum(e.grade.points_earned for e in evaluations if e.grade)
        possible = sum(e.entry.exercise.points for e in evaluations)
        out.print(
            f"[bold]{passed}/{len(evaluations)}[/] exercises pass, {earned}/{possible} points"
        )
        failing = [e for e in evaluations if e.status != "passed"]
        if failing:
            out.print(f"Details: [bold]fastlings check {failing[0].entry.id}[/]")
    return 0 if all(e.status == "passed" for e in evaluations) else 1


def current(entries: list[Entry], timeout: float = DEFAULT_TIMEOUT) -> Entry | None:
    """The current exercise: the first of `entries` that does not pass yet (None: all pass)."""
    from fastlings.learner.progress import evaluate

    statuses = evaluate(entries, in_process_runner(timeout))
    return next((s.entry for s in statuses if s.status != "passed"), None)


def in_process_runner(timeout: float = DEFAULT_TIMEOUT) -> Callable[[list[Entry]], RunResult]:
    """Runs the learner's checks here; says so on a terminal, since it may take a moment."""

    def runner(batch: list[Entry]) -> RunResult:
        import os
        import sys

        if not sys.stderr.isatty():
            return run_in_process(batch, "exercise", timeout=timeout)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        # pytest captures file descriptor 2 while it runs: draw on a copy of the terminal's
        terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
        with terminal, Progress(*columns, console=Console(file=terminal), transient=True) as bar:
            task = bar.add_task(f"Checking {len(batch)} exercise(s)", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            return run_in_process(batch, "exercise", timeout=timeout, progress=advance)

    return runner
