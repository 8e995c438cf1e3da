"""`fastlings reset EXERCISE` and `fastlings reset EXERCISE --undo`.

Nothing is lost: before any file is overwritten, its current content is saved in
`.fastlings/backups/<chapter>/<exercise>/<UTC timestamp>.py`. `--undo` restores the newest
backup (and saves what it replaces first, so an undo can be undone too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastlings.course.manifest import Entry
from fastlings.course.starters import Starter, same_code, starters
from fastlings.course.state import StateError, state_dir, write_bytes_atomic


class ResetError(Exception):
    """Nothing could be restored. `str()` says why, and what to do."""


def backup_dir(entry: Entry) -> Path:
    return state_dir(entry.course.root) / "backups" / entry.chapter.id / entry.id


def backups(entry: Entry) -> list[Path]:
    """Saved copies, oldest first (the names sort by time)."""
    folder = backup_dir(entry)
    return sorted(folder.glob("*.py")) if folder.is_dir() else []


def save_backup(entry: Entry) -> Path | None:
    """Copy the learner's current file into the backups folder; None when there is none."""
    path = entry.exercise_path
    if not path.is_file():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = backup_dir(entry) / f"{stamp}.py"
    counter = 1
    while target.exists():  # two saves in the same microsecond
        target = backup_dir(entry) / f"{stamp}-{counter}.py"
        counter += 1
    write_bytes_atomic(target, path.read_bytes())
    return target


def pristine(entry: Entry) -> Starter:
    found = starters([entry]).get(entry.qualified_id)
    if found is None:
        raise ResetError(
            f"No pristine starter of {entry.id} was found: the course is not a git checkout "
            "with this file committed, and no copy was saved in .fastlings/starters/. "
            "Download the course again to get the starter."
        )
    return found


def reset(entry: Entry, starter: Starter) -> Path | None:
    """Save the current file, then write the starter. Returns the backup's path."""
    if entry.exercise_path.is_dir():
        raise ResetError(
            f"{entry.exercise_path} is a folder, not the exercise's file: move it away, then "
            "reset again. Nothing was changed."
        )
    try:
        saved = save_backup(entry)
        write_bytes_atomic(entry.exercise_path, starter.content)
    except StateError as exc:
        raise ResetError(f"Cannot reset {entry.id}: {exc}. Nothing was changed.") from None
    return saved


def undo(entry: Entry, starter: Starter | None = None) -> tuple[Path, Path | None]:
    """Restore the newest backup. Returns (the backup restored, the backup of what it replaced).

    What it replaces is saved first, unless it is the untouched starter."""
    existing = backups(entry)
    if not existing:
        raise ResetError(f"There is no backup of {entry.id} to restore.")
    newest = existing[-1]
    content = newest.read_bytes()
    current = entry.exercise_path.read_bytes() if entry.exercise_path.is_file() else None
    saved = None
    untouched = starter is not None and current is not None and same_code(current, starter.content)
    try:
        if current is not None and current != content and not untouched:
            saved = save_backup(entry)
        write_bytes_atomic(entry.exercise_path, content)
    except StateError as exc:
        raise ResetError(f"Cannot restore {entry.id}: {exc}. Nothing was changed.") from None
    return newest, saved
