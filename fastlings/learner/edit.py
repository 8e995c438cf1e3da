"""Opening the exercise in the learner's editor.

- `fastlings edit [EXERCISE]` runs `$VISUAL` or `$EDITOR` on the (current) exercise and waits,
  as git does: right for terminal editors.
- `fastlings --edit-cmd "code"` (watch mode) starts that command on each exercise it shows,
  without waiting: right for windowed editors.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

EDIT_CMD_ENV = "FASTLINGS_EDIT_CMD"


class EditorError(Exception):
    pass


def editor_command() -> list[str]:
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return shlex.split(value)
    raise EditorError("Set $EDITOR (for example `export EDITOR=nano`) to open exercises from here.")


def edit(path: Path) -> int:
    """Open `path` in $VISUAL/$EDITOR and wait for it; the editor's exit code."""
    command = [*editor_command(), str(path)]
    try:
        return subprocess.run(command, check=False).returncode
    except OSError as exc:
        raise EditorError(f"Cannot start {command[0]!r}: {exc.strerror or exc}") from None


def open_in_background(command: str, path: Path) -> str | None:
    """Start `command path` without waiting; an error message, or None when it started."""
    try:
        subprocess.Popen(
            [*shlex.split(command), str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except (OSError, ValueError) as exc:
        return f"--edit-cmd {command!r} could not start: {exc}"
    return None
