"""The course manifest (`course.toml`), loaded through one Pydantic model.

Every path of an exercise is derived here by convention and stored nowhere else:

    exercises/<chapter>/<exercise>.py          the learner's starter
    solutions/<chapter>/<exercise>.py          the reference solution
    checks/<chapter>/test_<exercise>.py        the behavioural checks
    lessons/<chapter>.md                       the chapter's lesson (one section per exercise)
    notebooks/<chapter>.ipynb                  the chapter's notebook
"""

from __future__ import annotations

import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

MANIFEST_NAME = "course.toml"
Target = Literal["exercise", "solution"]
TARGETS: tuple[Target, ...] = ("exercise", "solution")
TARGET_DIRS: dict[Target, str] = {"exercise": "exercises", "solution": "solutions"}

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ManifestError(Exception):
    """The manifest cannot be read or does not validate."""


class Exercise(BaseModel):
    """One exercise: a starter, its solution and its checks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: Text
    section: Text = Field(description="The heading, in the chapter's lesson, that explains it.")
    points: int = Field(ge=1, le=100)
    hints: list[Text] = Field(min_length=2, description="A nudge first, then the exact pattern.")
    failing_checks: list[Slug] = Field(
        min_length=1, description="The checks that must fail, by assertion, on the starter."
    )
    partial_credit: bool = Field(
        default=False, description="Grade per check instead of all-or-nothing."
    )

    @model_validator(mode="after")
    def _checks_are_test_functions(self) -> Exercise:
        bad = [name for name in self.failing_checks if not name.startswith("test_")]
        if bad:
            raise ValueError(f"failing_checks must name test functions (test_...): {bad}")
        if len(set(self.failing_checks)) != len(self.failing_checks):
            raise ValueError("failing_checks lists a check twice")
        return self


class Chapter(BaseModel):
    """An ordered group of exercises that share a lesson and a notebook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^ch\d\d_[a-z0-9_]+$")]
    title: Text
    exercises: list[Exercise] = Field(min_length=1)

    @property
    def number(self) -> int:
        return int(self.id[2:4])


class CourseInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    # Documents in lessons/ that are not chapter lessons (README, instructors' guide, ...).
    extra_lessons: list[str] = Field(default_factory=list)


class Course(BaseModel):
    """The whole course, in manifest order. Build it with `load_course`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    course: CourseInfo
    chapters: list[Chapter] = Field(min_length=1)
    root: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Course:
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
        return self

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


def load_course(root: Path | None = None) -> Course:
    """Read and validate `course.toml` (cached per root until the file changes)."""
    root = (root or find_root()).resolve()
    path = root / MANIFEST_NAME
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise ManifestError(f"{path} does not exist") from None
    cached = _CACHE.get(root)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: {exc}") from None
    try:
        course = Course.model_validate({**data, "root": root})
    except ValueError as exc:
        raise ManifestError(f"{path} does not validate:\n{exc}") from None
    _CACHE[root] = (mtime, course)
    return course
