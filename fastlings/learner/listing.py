"""`fastlings list`: every exercise in focus with its status, points, lesson and notebook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastlings.learner.progress import Evaluation
from fastlings.ui import rel

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

STYLE = {"passed": "green", "failing": "red", "not started": "dim"}
MARK = {"passed": "✓", "failing": "✗", "not started": "·"}


def _cut(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def table(
    evaluations: list[Evaluation], *, current: str | None = None, width: int = 80
) -> RenderableType:
    """One block per chapter: its lesson and notebook, then a line per exercise. The status
    mark, the id and the points always show; the section title is cut to fit `width`."""
    from rich.console import Group
    from rich.markup import escape

    blocks: list[RenderableType] = []
    chapter_id = None
    widest = min(max((len(e.entry.id) for e in evaluations), default=0), 40)
    for evaluation in evaluations:
        entry = evaluation.entry
        root = entry.course.root
        if entry.chapter.id != chapter_id:
            chapter_id = entry.chapter.id
            if blocks:
                blocks.append("")
            title = _cut(f"Chapter {entry.chapter.number}: {entry.chapter.title}", width)
            blocks.append(
                f"[bold]{escape(title)}[/]\n"
                f"  [dim]lesson  [/] {rel(entry.lesson_path, root)}\n"
                f"  [dim]notebook[/] {rel(entry.notebook_path, root)}"
            )
        earned = evaluation.grade.points_earned if evaluation.grade else 0
        style = STYLE[evaluation.status]
        marker = ">" if entry.qualified_id == current else MARK[evaluation.status]
        ident = _cut(entry.id, widest).ljust(widest)
        points = f"{earned}/{entry.exercise.points}".rjust(6)
        used = 2 + widest + 2 + 11 + 1 + 6 + 2
        section = _cut(f"§ {entry.exercise.section}", width - used)
        blocks.append(
            f"[{style}]{marker}[/] {escape(ident)}  [{style}]{evaluation.status:<11}[/] "
            f"{points}  [dim]{escape(section)}[/]"
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
    console.print(table(evaluations, current=current, width=console.width), soft_wrap=True)
    console.print()
    console.print(progress_line(evaluations))
