"""`fastlings hint EXERCISE`: the manifest's hints in order, one more each time.

How many hints were shown is remembered per exercise in `.fastlings/hints.json`.
"""

from __future__ import annotations

from pathlib import Path

from fastlings.course.manifest import Entry
from fastlings.course.state import StateError, read_json, state_dir, warn_once, write_json


def hints_path(root: Path) -> Path:
    return state_dir(root) / "hints.json"


def shown(entry: Entry) -> int:
    value = read_json(hints_path(entry.course.root)).get(entry.qualified_id, 0)
    return value if isinstance(value, int) else 0


def reveal(entry: Entry) -> tuple[int, bool]:
    """Reveal one more hint: (how many are now shown, whether a new one was revealed)."""
    path = hints_path(entry.course.root)
    data = read_json(path)
    before = data.get(entry.qualified_id, 0)
    before = before if isinstance(before, int) else 0
    total = len(entry.exercise.hints)
    now = min(before + 1, total)
    if now != before:
        data[entry.qualified_id] = now
        try:
            write_json(path, data)
        except StateError as exc:
            warn_once(f"Which hints you saw is not remembered: {exc}.")
    return now, now != before


def render(entry: Entry, count: int, new: bool) -> str:
    """Rich markup: earlier hints dimmed, the new one bold."""
    from rich.markup import escape

    hints = entry.exercise.hints
    total = len(hints)
    lines = []
    for index in range(count):
        label = f"Hint {index + 1}/{total}"
        text = escape(hints[index])
        if index == count - 1 and new:
            lines.append(f"[bold cyan]{label}[/] {text}")
        else:
            lines.append(f"[dim]{label} {text}[/]")
    if count >= total:
        lines.append(
            f"[dim]That was the last hint. Read {escape(entry.lesson_ref)}, or peek at the "
            f"solution with `fastlings diff {entry.id}`.[/]"
        )
    return "\n".join(lines)
