"""The course manifest (`course.toml`): plain dataclasses, validated by Pydantic when read.

Every path of an exercise is derived here by convention and stored nowhere else:

    exercises/<chapter>/<exercise>.py          the learner's starter
    solutions/<chapter>/<exercise>.py          the reference solution
    checks/<chapter>/test_<exercise>.py        the behavioural checks
    lessons/<chapter>.md                       the chapter's lesson (one section per exercise)
    notebooks/<chapter>.ipynb                  the chapter's notebook
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Ge, Le, MinLen

MANIFEST_NAME = "course.toml"
Target = Literal["exercise", "solution"]
TARGETS: tuple[Target, ...] = ("exercise", "solution")
TARGET_DIRS: dict[Target, str] = {"exercise": "exercises", "solution": "solutions"}


@dataclass(frozen=True)
class Str:
    """A constraint on a manifest string, applied when Pydantic validates `course.toml`
    (the classes below are plain dataclasses, so a remembered manifest needs no Pydantic)."""

    pattern: str | None = None
    max_length: int | None = None
    min_length: int | None = None
    strip_whitespace: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.str_schema(
            pattern=self.pattern,
            max_length=self.max_length,
            min_length=self.min_length,
            strip_whitespace=self.strip_whitespace,
        )


Slug = Annotated[str, Str(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, Str(strip_whitespace=True, min_length=1)]
STRICT: dict[str, Any] = {"extra": "forbid"}  # Pydantic's config: unknown keys are errors


class ManifestError(Exception):
    """The manifest cannot be read or does not validate."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: a starter, its solution and its checks."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    id: Slug
    title: Text
    section: Text  # the heading, in the chapter's lesson, that explains it
    points: Annotated[int, Ge(1), Le(100)]
    hints: Annotated[list[Text], MinLen(2)]  # a nudge first, then the exact pattern
    failing_checks: Annotated[list[Slug], MinLen(1)]  # must fail, by assertion, on the starter
    partial_credit: bool = False  # grade per check instead of all-or-nothing

    def __post_init__(self) -> None:
        bad = [name for name in self.failing_checks if not name.startswith("test_")]
        if bad:
            raise ValueError(f"failing_checks must name test functions (test_...): {bad}")
        if len(set(self.failing_checks)) != len(self.failing_checks):
            raise ValueError("failing_checks lists a check twice")


@dataclass(frozen=True)
class Chapter:
    """An ordered group of exercises that share a lesson and a notebook."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    id: Annotated[str, Str(pattern=r"^ch\d\d_[a-z0-9_]+$")]
    title: Text
    exercises: Annotated[list[Exercise], MinLen(1)]

    @property
    def number(self) -> int:
        return int(self.id[2:4])


@dataclass(frozen=True)
class CourseInfo:
    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    title: Text
    # Documents in lessons/ that are not chapter lessons (README, instructors' guide, ...).
    extra_lessons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Course:
    """The whole course, in manifest order. Build it with `load_course`."""

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    course: CourseInfo
    chapters: Annotated[list[Chapter], MinLen(1)]
    root: Path = field(default=Path("."), compare=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for chapter in self.chapters:
            if chapter.id in seen:
                raise ValueError(f"chapter id {chapter.id!r} appears twice")
            seen.add(chapter.id)
            for exercise in chapter.exercises:
                if exercise.id in seen:
                    raise ValueError(f"exercise id {exercise.id!r} appears twice")
                seen.add(exercise.id)
        numbers = [c.number for c in self.chapters]
        if numbers != sorted(numbers):
            raise ValueError(f"chapters are not in order: {numbers}")

    # -- iteration -------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every exercise with its chapter, in manifest order."""
        return [Entry(self, chapter, ex) for chapter in self.chapters for ex in chapter.exercises]

    def entry(self, exercise_id: str) -> Entry:
        for entry in self.entries():
            if exercise_id in (entry.exercise.id, entry.qualified_id):
                return entry
        raise KeyError(exercise_id)

    def entry_for_check_file(self, path: Path) -> Entry | None:
        resolved = path.resolve()
        for entry in self.entries():
            if entry.checks_path.resolve() == resolved:
                return entry
        return None

    @property
    def total_points(self) -> int:
        return sum(e.exercise.points for e in self.entries())

    @classmethod
    def from_data(cls, data: dict[str, Any], root: Path) -> Course:
        """The course from `to_data()` (no validation: only for data validated before)."""
        chapters = [
            Chapter(
                id=str(chapter["id"]),
                title=str(chapter["title"]),
                exercises=[Exercise(**exercise) for exercise in chapter["exercises"]],
            )
            for chapter in data["chapters"]
        ]
        return cls(course=CourseInfo(**data["course"]), chapters=chapters, root=root)

    def to_data(self) -> dict[str, Any]:
        """The manifest's data as validated (JSON-ready; the root is not part of it)."""
        from dataclasses import asdict

        return {"course": asdict(self.course), "chapters": [asdict(c) for c in self.chapters]}


class Entry:
    """An exercise located in the course: every path is derived here, and only here."""

    def __init__(self, course: Course, chapter: Chapter, exercise: Exercise) -> None:
        self.course = course
        self.chapter = chapter
        self.exercise = exercise

    def __repr__(self) -> str:
        return f"Entry({self.qualified_id})"

    @property
    def id(self) -> str:
        return self.exercise.id

    @property
    def qualified_id(self) -> str:
        return f"{self.chapter.id}/{self.exercise.id}"

    def source_path(self, target: Target) -> Path:
        return self.course.root / TARGET_DIRS[target] / self.chapter.id / f"{self.exercise.id}.py"

    @property
    def exercise_path(self) -> Path:
        return self.source_path("exercise")

    @property
    def solution_path(self) -> Path:
        return self.source_path("solution")

    @property
    def checks_path(self) -> Path:
        return self.course.root / "checks" / self.chapter.id / f"test_{self.exercise.id}.py"

    @property
    def lesson_path(self) -> Path:
        return lesson_path(self.course.root, self.chapter)

    @property
    def notebook_path(self) -> Path:
        return notebook_path(self.course.root, self.chapter)

    @cached_property
    def lesson_ref(self) -> str:
        """Where the lesson explains this exercise, as a learner would type it."""
        rel = self.lesson_path.relative_to(self.course.root)
        return f"{rel.as_posix()} § {self.exercise.section}"

    def module_name(self, target: Target) -> str:
        return f"{TARGET_DIRS[target]}.{self.chapter.id}.{self.exercise.id}"


def lesson_path(root: Path, chapter: Chapter) -> Path:
    return root / "lessons" / f"{chapter.id}.md"


def notebook_path(root: Path, chapter: Chapter) -> Path:
    return root / "notebooks" / f"{chapter.id}.ipynb"


def find_root(start: Path | None = None) -> Path:
    """The course root: `FASTLINGS_ROOT`, or the nearest folder upwards holding course.toml."""
    env = os.environ.get("FASTLINGS_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST_NAME).is_file():
            return folder
    raise ManifestError(
        f"No {MANIFEST_NAME} found in {here} or above: run fastlings from inside the course folder."
    )


_CACHE: dict[Path, tuple[float, Course]] = {}


def load_course(root: Path | None = None, *, remembered: bool = False) -> Course:
    """Read and validate `course.toml` (cached per root until the file changes).

    `remembered=True` (the learner's fast commands only) reuses the data validated earlier
    from the same bytes (`fastlings.course.remembered`), and skips Pydantic entirely."""
    root = (root or find_root()).resolve()
    path = root / MANIFEST_NAME
    try:
        mtime = path.stat().st_mtime
        cached = _CACHE.get(root)
        if cached and cached[0] == mtime:
            return cached[1]
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{path} does not exist") from None
    except OSError as exc:
        raise ManifestError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if remembered:
        from fastlings.course import remembered as memory

        data = memory.recall(root, raw)
        course = None
        if data is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
                course = Course.from_data(data, root)
        if course is not None:
            _CACHE[root] = (mtime, course)
            return course
    course = _validate(path, raw, root)
    if remembered:
        memory.remember(root, raw, course.to_data())
    _CACHE[root] = (mtime, course)
    return course


def _validate(path: Path, raw: bytes, root: Path) -> Course:
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(Course).validate_python({**data, "root": root})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ManifestError(f"{path} does not validate:\n{exc}") from None
