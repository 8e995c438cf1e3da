"""Each learner's submission, read into memory before any learner code runs.

A submission is a folder holding a copy of the course; only the files
`exercises/<chapter>/<exercise>.py` that the manifest names are read. Every path component is
opened relative to its parent with O_NOFOLLOW, so a symbolic link anywhere on the way is refused
rather than followed; a file with other hard links, or not a regular file, or larger than 1 MiB,
is refused too. A submission folder that is itself a symbolic link is skipped, with the reason.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from fastlings.course.manifest import MANIFEST_NAME, Course, Entry
from fastlings.grading.models import SkippedSubmission

MAX_FILE_BYTES = 1024 * 1024
PRISTINE_FILES = (MANIFEST_NAME, "pyproject.toml", "conftest.py")


@dataclass
class Submission:
    """One learner: the bytes of each selected exercise file, or why it cannot be graded."""

    name: str
    files: dict[str, bytes] = field(default_factory=dict)  # exercise id -> content
    problems: dict[str, str] = field(default_factory=dict)  # exercise id -> reason


def find_submissions(folder: Path) -> tuple[list[Path], list[SkippedSubmission]]:
    """Each non-hidden folder in `folder` is one learner's submission, sorted by name.
    Symbolic links (to folders or not) are skipped with the reason: they would grade someone
    else's work under this name."""
    found: list[Path] = []
    skipped: list[SkippedSubmission] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")):
            continue
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            skipped.append(
                SkippedSubmission(
                    folder=path.name,
                    reason="a symbolic link, not a folder: skipped (it would grade the work "
                    "it points to under this name)",
                )
            )
        elif stat.S_ISDIR(info.st_mode):
            found.append(path)
    return found, skipped


def read_submission_file(submission: Path, entry: Entry) -> tuple[bytes | None, str | None]:
    """The bytes of the learner's file for `entry`, or why it cannot be graded."""
    rel = entry.exercise_path.relative_to(entry.course.root)
    parts = rel.parts
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(submission, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW))
        except OSError as exc:
            return None, f"the submission folder cannot be opened: {exc.strerror}"
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            if not last:
                flags |= os.O_DIRECTORY
            try:
                fds.append(os.open(part, flags, dir_fd=fds[-1]))
            except OSError as exc:
                where = "/".join(parts[: index + 1])
                if exc.errno == errno.ENOENT:
                    return None, f"{rel.as_posix()} is missing from the submission"
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    return None, f"{where} is a symbolic link: only regular files are graded"
                return None, f"{where} cannot be read: {exc.strerror}"
        info = os.fstat(fds[-1])
        if not stat.S_ISREG(info.st_mode):
            return None, f"{rel.as_posix()} is not a regular file"
        if info.st_nlink > 1:
            return None, f"{rel.as_posix()} has other hard links: only plain files are graded"
        if info.st_size > MAX_FILE_BYTES:
            return None, f"{rel.as_posix()} is larger than {MAX_FILE_BYTES // 1024} KiB"
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fds[-1], 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            return None, f"{rel.as_posix()} is larger than {MAX_FILE_BYTES // 1024} KiB"
        return b"".join(chunks), None
    finally:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def snapshot(submission: Path, entries: list[Entry]) -> Submission:
    taken = Submission(name=submission.name)
    for entry in entries:
        data, problem = read_submission_file(submission, entry)
        if data is None:
            taken.problems[entry.id] = problem or "cannot be read"
        else:
            taken.files[entry.id] = data
    return taken


def pristine_files(course: Course) -> dict[str, bytes]:
    """The instructor's course parts a working copy needs, read once into memory."""
    files: dict[str, bytes] = {}
    for name in PRISTINE_FILES:
        source = course.root / name
        if source.is_file():
            files[name] = source.read_bytes()
    checks = course.root / "checks"
    for path in sorted(checks.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(course.root).as_posix()] = path.read_bytes()
    return files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(files: dict[str, bytes]) -> dict[str, str]:
    return {rel: sha(data) for rel, data in files.items()}
