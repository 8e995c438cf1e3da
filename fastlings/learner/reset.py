"""`fastlings reset EXERCISE [--undo]`: what the command does, with every question it asks.

The file operations (and the backups that make every reset reversible) are in `backups.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastlings.course.manifest import Course, Entry
from fastlings.learner import backups
from fastlings.ui import rel

Confirm = Callable[[str], bool]
Echo = Callable[[str], None]


def reset(course: Course, entry: Entry, *, undo: bool, confirm: Confirm, echo: Echo) -> int:
    """Reset `entry` to its starter, or undo the last reset. Returns the exit code."""
    shown = rel(entry.exercise_path, course.root)
    try:
        if undo:
            return _undo(course, entry, shown, confirm, echo)
        starter = backups.pristine(entry)
        if not confirm(f"Reset {shown} to the starter? (your file is backed up first)"):
            return 1
        saved = backups.reset(entry, starter)
    except backups.ResetError as exc:
        import sys

        sys.stderr.write(f"{exc}\n")
        return 1
    if saved:
        echo(f"Saved your file to {rel(saved, course.root)}")
    echo(f"Reset {shown} to the starter ({starter.source}).")
    echo(f"Changed your mind? `fastlings reset {entry.id} --undo` brings your file back.")
    return 0


def _undo(course: Course, entry: Entry, shown: str, confirm: Confirm, echo: Echo) -> int:
    try:
        starter = backups.pristine(entry)
    except backups.ResetError:
        starter = None
    if not confirm(f"Replace {shown} with its newest backup?"):
        return 1
    restored, saved = backups.undo(entry, starter)
    if saved:
        echo(f"Saved your current file to {rel(saved, course.root)}")
    echo(f"Restored {shown} from {rel(restored, course.root)}")
    return 0
