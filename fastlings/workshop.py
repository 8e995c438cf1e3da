"""Workshop mode: an instructor names the chapters of the day in `workshop.toml`.

`focus(course)` is what `fastlings`, `list` and `grade` show: the workshop's chapters when a
workshop file exists, otherwise the whole course. The file sits at the course root, next to
`course.toml`, and is committed so that every learner's clone focuses on the same chapters:

    # written by `fastlings class workshop start 1-4`
    [workshop]
    chapters = ["ch01_endpoint_structure", "ch02_...", ...]

`select_entries(course, "1-4")` parses the same selections for `grade-class --exercises`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from annotated_types import MinLen

from fastlings.course.manifest import STRICT, Course, Entry

WORKSHOP_NAME = "workshop.toml"


class WorkshopError(Exception):
    """A selection or workshop file that does not match the course."""


# Plain dataclasses, validated by Pydantic only when a workshop file exists: `fastlings list`
# without one imports no Pydantic.
@dataclass(frozen=True)
class WorkshopInfo:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    chapters: Annotated[list[str], MinLen(1)]
    title: str | None = None


@dataclass(frozen=True)
class WorkshopFile:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    workshop: WorkshopInfo


def workshop_path(course: Course) -> Path:
    return course.root / WORKSHOP_NAME


def select_entries(course: Course, spec: str) -> list[Entry]:
    """The exercises named by `spec`, in manifest order.

    `spec` is a comma-separated list of chapter numbers (`3`), ranges of chapter numbers
    (`1-4`), chapter ids (`ch02_validation`) or exercise ids (`ex01_users_router`)."""
    entries = course.entries()
    chosen: set[str] = set()
    numbers = {c.number for c in course.chapters}
    for raw in spec.split(","):
        token = raw.strip()
        if not token:
            continue
        if token.replace("-", "").isdigit() and token.count("-") <= 1:
            first, _, last = token.partition("-")
            low, high = int(first), int(last or first)
            if low > high or not any(low <= n <= high for n in numbers):
                raise WorkshopError(
                    f"{token!r} names no chapter (chapters are numbered "
                    f"{min(numbers)}-{max(numbers)})"
                )
            chosen.update(e.qualified_id for e in entries if low <= e.chapter.number <= high)
            continue
        matched = [e for e in entries if token in (e.chapter.id, e.exercise.id, e.qualified_id)]
        if not matched:
            raise WorkshopError(f"{token!r} is not a chapter number, chapter id or exercise id")
        chosen.update(e.qualified_id for e in matched)
    if not chosen:
        raise WorkshopError("the selection is empty")
    return [e for e in entries if e.qualified_id in chosen]


def load_workshop(course: Course) -> WorkshopInfo | None:
    path = workshop_path(course)
    if not path.is_file():
        return None
    import tomllib

    from pydantic import TypeAdapter, ValidationError

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        data = TypeAdapter(WorkshopFile).validate_python(raw)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise WorkshopError(f"{path.name} cannot be read: {exc}") from None
    known = {c.id for c in course.chapters}
    unknown = [c for c in data.workshop.chapters if c not in known]
    if unknown:
        raise WorkshopError(f"{path.name} names chapters that course.toml lacks: {unknown}")
    return data.workshop


def focus(course: Course) -> list[Entry]:
    """The exercises in focus, in manifest order."""
    try:
        workshop = load_workshop(course)
    except WorkshopError:
        return course.entries()  # a broken workshop file never hides the course
    if workshop is None:
        return course.entries()
    chapters = set(workshop.chapters)
    return [e for e in course.entries() if e.chapter.id in chapters]


def start(course: Course, spec: str, title: str | None = None) -> Path:
    """Write the workshop file for the chapters that `spec` names; return its path."""
    entries = select_entries(course, spec)
    chapters: list[str] = []
    for entry in entries:
        if entry.chapter.id not in chapters:
            chapters.append(entry.chapter.id)
    lines = [
        "# Workshop mode: `fastlings`, `list` and `grade` focus on these chapters.",
        "# Written by `fastlings class workshop start`; `... workshop stop` removes it.",
        "[workshop]",
    ]
    if title:
        lines.append(f"title = {_toml_string(title)}")
    lines.append("chapters = [" + ", ".join(_toml_string(c) for c in chapters) + "]")
    path = workshop_path(course)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stop(course: Course) -> bool:
    """Remove the workshop file; True when there was one."""
    path = workshop_path(course)
    if path.is_file():
        path.unlink()
        return True
    return False


def _toml_string(text: str) -> str:
    escaped = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
