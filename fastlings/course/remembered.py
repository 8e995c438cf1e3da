"""The validated manifest, remembered in `.fastlings/manifest.json` for the learner's fast
commands (`fastlings list`, `fastlings check EXERCISE`).

Validating `course.toml` means importing Pydantic and building the manifest's models, which
costs more than the rest of a cached `list`. The validated data is kept, keyed by the SHA-256
of the manifest's bytes and the tooling's version, and rebuilt without validation while both
are unchanged. Only the learner's own commands read it: grading and `dev verify` always
validate, since a submission could plant any file in `.fastlings/`.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any

from fastlings import __version__
from fastlings.course.state import StateError, read_json, state_dir, write_json

FILE = "manifest.json"


def key(manifest: bytes) -> str:
    return f"{__version__}/{hashlib.sha256(manifest).hexdigest()}"


def recall(root: Path, manifest: bytes) -> dict[str, Any] | None:
    """The course data validated earlier from exactly these bytes, or None."""
    remembered = read_json(state_dir(root) / FILE)
    data = remembered.get("course")
    if remembered.get("key") != key(manifest) or not isinstance(data, dict):
        return None
    return data


def remember(root: Path, manifest: bytes, data: dict[str, Any]) -> None:
    """Keep the validated course data for the next fast command; a state that cannot be
    written (a read-only course, `.fastlings` a file) only costs the next command its speed."""
    with contextlib.suppress(StateError):
        write_json(state_dir(root) / FILE, {"key": key(manifest), "course": data})
