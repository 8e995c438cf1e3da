"""Scores from check results and the manifest's points. Shared by `grade` and class grading.

An exercise earns its points when every one of its checks passes. With `partial_credit = true`
in the manifest, each distinct check (a parametrised check counts once, and passes only when
all its cases pass) earns an equal share, rounded down to whole points.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field

from fastlings.course.manifest import Entry
from fastlings.run.record import CheckResult


class CheckGrade(BaseModel):
    name: str
    passed: bool
    outcome: str
    message: str | None = None
    kind: str | None = Field(
        default=None, description="Why it failed: assertion, import, timeout, error, collection."
    )
    duration: float = Field(default=0.0, description="Seconds, all its cases together.")


class ExerciseGrade(BaseModel):
    id: str
    chapter: str
    points_earned: int
    points_possible: int
    passed: bool
    reason: str | None = Field(default=None, description="Why nothing ran, when nothing did.")
    checks: list[CheckGrade] = Field(default_factory=list)


class CourseGrade(BaseModel):
    points_earned: int
    points_possible: int
    exercises: list[ExerciseGrade]


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
