"""grades.csv, grades.json and report.html: rendered in memory, then written atomically.

Every learner-controlled string (folder names, failure messages, which quote learner output) is
escaped for its sink: CSV fields are all quoted, stripped of control characters, and a leading
`=`, `+`, `-`, `@` (a spreadsheet formula) is neutralised with a quote; terminal text has every
control character and bidirectional override shown as an escape, and goes to Rich as plain
`Text`, never as markup; HTML is escaped in `fastlings.grading.html`.

Each file is written to a fresh temporary file in the out folder (O_EXCL, O_NOFOLLOW, relative
to the folder's own descriptor), flushed, then renamed over the old one (`os.replace`): a link
planted in the out folder is replaced, never followed, and a full disk leaves the previous file
whole instead of an empty one.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import secrets
from pathlib import Path
from typing import Any

from fastlings.grading.html import render
from fastlings.grading.models import ClassGrade

OUTPUTS = {"csv": "grades.csv", "json": "grades.json", "html": "report.html"}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CSV_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class OutputError(OSError):
    """An output file could not be written; the previous one, if any, is intact."""


def terminal_safe(text: str) -> str:
    """No raw escape sequence reaches the terminal: controls are shown as `\\x1b` etc."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def csv_safe(value: object) -> str:
    text = _CSV_CONTROL.sub(" ", str(value))
    return "'" + text if text.lstrip()[:1] in _FORMULA or text[:1] in _FORMULA else text


def to_csv(result: ClassGrade) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["learner", *(e.id for e in result.exercises), "total", "possible"])
    for learner in result.learners:
        writer.writerow(
            csv_safe(v)
            for v in (
                learner.learner,
                *(learner.exercise(e.id).points_earned for e in result.exercises),
                learner.points_earned,
                learner.points_possible,
            )
        )
    return out.getvalue()


def _open_out(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise OutputError(
            exc.errno, f"the out folder {out} cannot be used: {exc.strerror}"
        ) from None


def write_atomic(folder_fd: int, name: str, data: bytes) -> None:
    temp = f".{name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, 0o644, dir_fd=folder_fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except OSError:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=folder_fd)
        raise


def write_outputs(result: ClassGrade, out: Path) -> dict[str, Path]:
    """Write the three outputs; OutputError names those that could not be written."""
    rendered = {
        "csv": to_csv(result).encode(),
        "json": result.model_dump_json(indent=1).encode(),
        "html": render(result).encode(),
    }
    folder = _open_out(out)
    failed: list[str] = []
    try:
        for label, data in rendered.items():
            try:
                write_atomic(folder, OUTPUTS[label], data)
            except OSError as exc:
                failed.append(f"{OUTPUTS[label]} ({exc.strerror or exc})")
    finally:
        os.close(folder)
    if failed:
        raise OutputError(
            0, f"could not write {', '.join(failed)} in {out}; any previous copy is intact"
        )
    return {label: out / name for label, name in OUTPUTS.items()}


def summary_rows(result: ClassGrade) -> list[dict[str, Any]]:
    """The terminal summary, every learner string made terminal-safe."""
    return [
        {
            "learner": terminal_safe(learner.learner),
            "points": f"{learner.points_earned}/{learner.points_possible}",
            "passed": sum(g.passed for g in learner.exercises),
            "problems": terminal_safe(
                "; ".join(f"{g.id}: {g.reason}" for g in learner.exercises if g.reason)
            ),
        }
        for learner in result.learners
    ]
