"""The learner's own state, in `.fastlings/` at the course root (ignored by git).

Nothing here is the truth about progress: the progress file is only a cache of check results,
keyed by content hashes, and can be deleted at any time.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATE_DIR = ".fastlings"


class StateError(OSError):
    """A file of the learner's state (or the exercise file itself) cannot be written: the
    message says which and why, and nothing was changed."""


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, or `{}` when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (a temporary file, then a rename), so a Ctrl-C never leaves half a file."""
    write_bytes_atomic(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def _why(path: Path) -> str:
    if path.is_dir():
        return f"{path} is a folder, where a file belongs"
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file, where a folder belongs"
    return f"{path} cannot be written"


def write_bytes_atomic(path: Path, content: bytes) -> None:
    """Write atomically; a `StateError` says what stands in the way (nothing is changed)."""
    try:
        _write(path, content)
    except OSError as exc:
        raise StateError(f"{_why(path)} ({exc.strerror or exc}); move it away and retry") from exc


def _write(path: Path, content: bytes) -> None:
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """Tell the learner on stderr, once per process, that some state could not be kept."""
    import sys

    if message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"note: {message}\n")
