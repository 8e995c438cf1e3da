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


def write_bytes_atomic(path: Path, content: bytes) -> None:
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
