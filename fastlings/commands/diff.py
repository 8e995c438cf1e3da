"""`fastlings diff EXERCISE`: the learner's file against the reference solution."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from fastlings.manifest import Entry
from fastlings.ui import rel

if TYPE_CHECKING:
    from rich.console import Console


def unified(entry: Entry) -> list[str]:
    root = entry.course.root
    mine = entry.exercise_path.read_text(encoding="utf-8") if entry.exercise_path.is_file() else ""
    ref = entry.solution_path.read_text(encoding="utf-8")
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
