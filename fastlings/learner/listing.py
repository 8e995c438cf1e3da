"""`fastlings list`: every exercise in focus with its status, points, lesson and notebook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastlings.learner.progress import Evaluation
from fastlings.ui import rel

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

STYLE = {"passed": "green", "failing": "red", "not started": "dim"}
MARK = {"passed": "✓", "failing": "✗", "not started": "·"}


def table(evaluations: list[Evaluation], *, current: str | None = None) -> RenderableType:
    """One block per chapter: its lesson and notebook, then its exercises."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    blocks: list[RenderableType] = []
    chapter_id = None
    grid: Table | None = None
    for evaluation in evaluations:
        entry = evaluation.entry
        root = entry.course.root
        if entry.chapter.id != chapter_id:
            chapter_id = entry.chapter.id
            if blocks:
                blocks.append("")
            blocks.append(
                f"[bold]Chapter {entry.chapter.number}: {escape(entry.chapter.title)}[/]\n"
                f"  [dim]lesson  [/] {rel(entry.lesson_path, root)}\n"
                f"  [dim]notebook[/] {rel(entry.notebook_path, root)}"
            )
            grid = Table(show_edge=False, pad_edge=False, box=None, show_header=False)
            grid.add_column("", no_wrap=True, width=1)
            widest = max(len(e.entry.id) for e in evaluations)
            grid.add_column("exercise", no_wrap=True, min_width=widest)
            grid.add_column("status", no_wrap=True, min_width=len("not started"))
            grid.add_column("points", justify="right", no_wrap=True, min_width=6)
            grid.add_column("section", overflow="ellipsis", no_wrap=True, style="dim")
            blocks.append(grid)
        assert grid is not None
        earned = evaluation.grade.points_earned if evaluation.grade else 0
        style = STYLE[evaluation.status]
        marker = ">" if entry.qualified_id == current else MARK[evaluation.status]
        grid.add_row(
            f"[{style}]{marker}[/]",
            entry.id,
            f"[{style}]{evaluation.status}[/]",
            f"{earned}/{entry.exercise.points}",
            f"§ {escape(entry.exercise.section)}",
        )
    return Group(*blocks)


def progress_line(evaluations: list[Evaluation], width: int = 30) -> str:
    done = sum(e.status == "passed" for e in evaluations)
    total = len(evaluations)
    earned = sum(e.grade.points_earned for e in evaluations if e.grade)
    possible = sum(e.entry.exercise.points for e in evaluations)
    filled = round(width * done / total) if total else 0
    bar = f"[green]{'█' * filled}[/][dim]{'░' * (width - filled)}[/]"
    return f"{bar} {done}/{total} exercises  score {earned}/{possible} points"


def show(console: Console, evaluations: list[Evaluation], *, current: str | None = None) -> None:
    console.print(table(evaluations, current=current))
    console.print()
    console.print(progress_line(evaluations))
