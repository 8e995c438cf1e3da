"""The result models (grades.json), the limits of one sandboxed run, and the grader's options."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from fastlings.grading.scores import ExerciseGrade


@dataclass(frozen=True)
class Limits:
    check_timeout: float = 10.0  # per check (pytest-timeout, inside the child)
    wall_per_exercise: float = 60.0  # the child's wall-clock budget, per exercise it runs
    wall_base: float = 30.0  # plus this for interpreter start-up and collection
    learner_budget: float = 600.0  # every run of one learner together, re-runs included
    memory_mb: int = 2048  # RLIMIT_AS
    nproc: int = 256  # RLIMIT_NPROC (threads count too)
    fsize_mb: int = 64  # RLIMIT_FSIZE
    tmp_mb: int = 256  # the sandbox's private /tmp, and the working copy
    shm_mb: int = 64  # the sandbox's private /dev/shm

    def wall(self, exercises: int) -> float:
        return self.wall_base + self.wall_per_exercise * exercises


@dataclass
class ClassOptions:
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    db_server: str | None = None
    reuse: bool = True  # files identical to the starter or solution reuse the grader's own run
    unsafe_no_sandbox: bool = False  # run the child without bubblewrap (trusted code only)


class ExerciseInfo(BaseModel):
    id: str
    chapter: str
    title: str
    points: int


class LearnerGrade(BaseModel):
    learner: str
    points_earned: int
    points_possible: int
    exercises: list[ExerciseGrade]
    isolated_reruns: list[str] = Field(
        default_factory=list, description="Exercises re-run alone after the first run broke."
    )
    reused_results: list[str] = Field(
        default_factory=list,
        description="Exercises whose file is byte-for-byte the course's starter or solution, "
        "graded from the grader's own run of that file.",
    )
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def exercise(self, exercise_id: str) -> ExerciseGrade:
        return next(g for g in self.exercises if g.id == exercise_id)


class SkippedSubmission(BaseModel):
    folder: str
    reason: str


class ClassGrade(BaseModel):
    course: str
    exercises: list[ExerciseInfo]
    learners: list[LearnerGrade]
    points_possible: int
    seconds: float = 0.0
    isolation: str = ""
    skipped: list[SkippedSubmission] = Field(default_factory=list)

    def pass_rates(self) -> dict[str, float]:
        rates: dict[str, float] = {}
        for info in self.exercises:
            grades = [learner.exercise(info.id) for learner in self.learners]
            rates[info.id] = sum(g.passed for g in grades) / len(grades) if grades else 0.0
        return rates
