"""How a checked exercise is shown: one line when it passes, the first failure when not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fastlings.course.manifest import Entry
from fastlings.grading import CheckGrade, ExerciseGrade
from fastlings.ui import FAILED, PASSED, rel

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


FILE_REF = re.compile(r"\b((?:exercises|solutions|checks)/[\w./-]+\.py)(?::(\d+))?")


def linked(markup: str, root: Path) -> str:
    """Make every `exercises/...py[:line]` in (escaped) markup a clickable OSC 8 link, where
    the terminal supports them (rich leaves plain text elsewhere)."""

    def link(match: re.Match[str]) -> str:
        target = (root / match.group(1)).resolve().as_uri()
        return f"[link={target}]{match.group(0)}[/link]"

    return FILE_REF.sub(link, markup)


def first_failure(grade: ExerciseGrade) -> CheckGrade | None:
    return next((c for c in grade.checks if not c.passed), None)


def summary_line(entry: Entry, grade: ExerciseGrade) -> str:
    passed = sum(c.passed for c in grade.checks)
    total = len(grade.checks)
    mark = f"[green]{PASSED}[/]" if grade.passed else f"[red]{FAILED}[/]"
    checks = f"{passed}/{total} checks pass" if total else (grade.reason or "no check ran")
    if any(c.kind == "timeout" for c in grade.checks):
        checks += ", then the run was stopped: a check timed out"
    elif any(c.kind == "import" for c in grade.checks):
        checks += ": the file does not import"
    return (
        f"{mark} [bold]{entry.id}[/]  {checks}  "
        f"[dim]{grade.points_earned}/{grade.points_possible} points[/]"
    )


def failure_panel(entry: Entry, grade: ExerciseGrade, *, target_file: str) -> RenderableType:
    """The first failure's teaching message, in a panel that names the file to edit."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    check = first_failure(grade)
    hint = f"Stuck? [bold]fastlings hint {entry.id}[/] shows a hint."
    if check is None:  # nothing ran at all
        body = Text(grade.reason or "No check ran.")
        return Panel(body, title=f"{entry.id}: no result", title_align="left", border_style="red")
    message = (check.message or check.outcome).strip()
    if check.kind in ("import", "collection"):
        title = f"{target_file} does not import"
        if check.kind == "collection":
            title = f"{rel(entry.checks_path, entry.course.root)} could not be collected"
            message = _tail(message, 12)
        return Panel(
            f"{linked(escape(message), entry.course.root)}\n\n{hint}",
            title=title,
            title_align="left",
            border_style="red",
        )
    title = f"{check.name}: timed out" if check.kind == "timeout" else str(check.name)
    return Panel(
        f"{linked(escape(_tail(message, 25)), entry.course.root)}\n\n[dim]Edit[/] "
        f"[bold]{linked(escape(target_file), entry.course.root)}[/]. {hint}",
        title=title,
        title_align="left",
        border_style="yellow" if check.kind == "assertion" else "red",
    )


SLOW = 1.0
"""A check that takes longer than this (seconds) is flagged on the learner's screen."""


def other_failures(grade: ExerciseGrade, width: int = 100) -> list[str]:
    """One line for each failing check after the first: its name and its first line, cut to
    fit `width` columns."""
    from rich.markup import escape

    failing = [c for c in grade.checks if not c.passed][1:]
    lines = []
    for check in failing:
        room = max(10, width - len(check.name) - 6)
        first = (check.message or check.outcome).strip().splitlines()[0]
        first = first if len(first) <= room else first[: room - 1] + "…"
        lines.append(f"  [red]{FAILED}[/] [bold]{escape(check.name)}[/]: {escape(first)}")
    return lines


def slow_checks(grade: ExerciseGrade) -> str | None:
    slow = [c for c in grade.checks if c.duration > SLOW]
    if not slow:
        return None
    listed = ", ".join(f"{c.name} {c.duration:.1f} s" for c in slow)
    return f"[dim]slow (over {SLOW:g} s): {listed}[/]"


def _tail(text: str, lines: int) -> str:
    parts = text.splitlines()
    if len(parts) <= lines:
        return text
    return "\n".join(["...", *parts[-lines:]])


def show(console: Console, entry: Entry, grade: ExerciseGrade, *, target_file: str) -> None:
    console.print(summary_line(entry, grade))
    if not grade.passed:
        console.print(failure_panel(entry, grade, target_file=target_file))
        others = other_failures(grade, console.width)
        if others:
            console.print("Also failing:\n" + "\n".join(others))
    slow = slow_checks(grade)
    if slow:
        console.print(slow)


def watch_header(entry: Entry, statuses: Mapping[str, object], root: Path) -> str:
    """Watch mode's two header lines: progress and where we are, then the file to edit."""
    from rich.markup import escape

    done = sum(s == "passed" for s in statuses.values())
    return (
        f"[bold]Fastlings[/]  {done}/{len(statuses)} exercises done  ·  "
        f"[bold]{escape(entry.chapter.title)}[/] > {escape(entry.exercise.title)}\n"
        f"Edit [bold]{rel(entry.exercise_path, root)}[/]"
    )
