"""`fastlings diff EXERCISE`: the learner's file against the reference solution."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fastlings.course.manifest import Entry
from fastlings.ui import rel

if TYPE_CHECKING:
    from rich.console import Console


def compare(entry: Entry, timeout: float, *, confirm: Callable[[str], bool]) -> int:
    """`fastlings diff`: asks first while the exercise does not pass. Returns the exit code."""
    from fastlings.learner.check import in_process_runner
    from fastlings.learner.progress import evaluate
    from fastlings.ui import console, leave

    status = evaluate([entry], in_process_runner(timeout))[0].status
    if status != "passed" and not confirm(
        f"{entry.id} does not pass yet. Peek at the solution anyway?"
    ):
        return 1
    lines = unified(entry)
    if not lines:
        console().print("Your file is identical to the reference solution.")
    else:
        show(console(), lines)
    leave(0)


def _text(path: Path) -> str:
    """The file's text; bytes that are not UTF-8 are shown as U+FFFD instead of failing."""
    if not path.is_file():
        return ""
    return path.read_bytes().decode("utf-8", errors="replace")


def unified(entry: Entry) -> list[str]:
    root = entry.course.root
    mine = _text(entry.exercise_path)
    ref = _text(entry.solution_path)
    return list(
        difflib.unified_diff(
            mine.splitlines(keepends=True),
            ref.splitlines(keepends=True),
            fromfile=f"{rel(entry.exercise_path, root)} (yours)",
            tofile=f"{rel(entry.solution_path, root)} (reference)",
        )
    )


def show(console: Console, lines: list[str]) -> None:
    from rich.text import Text

    for line in lines:
        text = line.rstrip("\n")
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = ""
        console.print(Text(text, style=style), soft_wrap=True)
