"""Scores from check results and the manifest's points. Shared by `grade` and class grading.

An exercise earns its points when every one of its checks passes. With `partial_credit = true`
in the manifest, each distinct check (a parametrised check counts once, and passes only when
all its cases pass) earns an equal share, rounded down to whole points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from fastlings.course.manifest import Entry
from fastlings.run.record import CheckResult

# Plain dataclasses: `fastlings list` reads grades back from the progress cache without
# importing Pydantic; the class report's Pydantic models hold them as fields all the same.


@dataclass
class CheckGrade:
    name: str
    passed: bool
    outcome: str
    message: str | None = None
    kind: str | None = None  # why it failed: assertion, import, timeout, error, collection
    duration: float = 0.0  # seconds, all its cases together


@dataclass
class ExerciseGrade:
    id: str
    chapter: str
    points_earned: int
    points_possible: int
    passed: bool
    reason: str | None = None  # why nothing ran, when nothing did
    checks: list[CheckGrade] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, raw: object) -> ExerciseGrade:
        """Read `to_data()` back; anything else is refused with a ValueError."""
        data = _checked(cls, raw)
        checks = data.get("checks", [])
        if not isinstance(checks, list):
            raise ValueError("checks is not a list")
        data["checks"] = [CheckGrade(**_checked(CheckGrade, c)) for c in checks]
        return cls(**data)


@dataclass
class CourseGrade:
    points_earned: int
    points_possible: int
    exercises: list[ExerciseGrade]

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


SCALARS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "bool": (bool,),
    "int": (int,),
    "float": (int, float),
    "str | None": (str, type(None)),
}


def _checked(cls: type, raw: object) -> dict[str, Any]:
    """`raw` as keyword arguments for `cls`: a dict with known keys and scalar types."""
    if not isinstance(raw, dict):
        raise ValueError(f"not a {cls.__name__} record")
    known = {f.name: f.type for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    for name, value in raw.items():
        allowed = SCALARS.get(str(known[name]))
        if allowed is not None and (
            not isinstance(value, allowed) or (bool not in allowed and isinstance(value, bool))
        ):
            raise ValueError(f"{name} has the wrong type")
    return dict(raw)


def grade_exercise(
    entry: Entry, results: list[CheckResult], reason: str | None = None
) -> ExerciseGrade:
    possible = entry.exercise.points
    by_name: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        by_name[result.name or result.nodeid].append(result)
    checks = [
        CheckGrade(
            name=name,
            passed=all(c.outcome == "passed" for c in cases),
            outcome=next((c.outcome for c in cases if c.outcome != "passed"), "passed"),
            message=next((c.message for c in cases if c.outcome != "passed"), None),
            kind=next((c.kind for c in cases if c.outcome != "passed"), None),
            duration=round(sum(c.duration for c in cases), 3),
        )
        for name, cases in by_name.items()
    ]
    if not checks and reason is None:
        reason = "no check ran"
    passed = bool(checks) and all(c.passed for c in checks)
    if passed:
        earned = possible
    elif entry.exercise.partial_credit and checks:
        earned = possible * sum(c.passed for c in checks) // len(checks)
    else:
        earned = 0
    return ExerciseGrade(
        id=entry.exercise.id,
        chapter=entry.chapter.id,
        points_earned=earned,
        points_possible=possible,
        passed=passed,
        reason=reason,
        checks=checks,
    )


def first_reason(grade: ExerciseGrade) -> str | None:
    """The reason an exercise earned nothing: the grader's, or the first failing check's."""
    if grade.passed:
        return None
    if grade.reason:
        return grade.reason
    for check in grade.checks:
        if not check.passed:
            first = (check.message or check.outcome).strip().splitlines()
            return f"{check.name}: {first[0] if first else check.outcome}"
    return None
