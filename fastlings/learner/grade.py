"""`fastlings grade [--json]`: the learner's score from the checks and the manifest's points."""

from __future__ import annotations

from fastlings.course.manifest import Course, Entry
from fastlings.grading import CourseGrade
from fastlings.learner.check import in_process_runner
from fastlings.learner.progress import evaluate
from fastlings.run.spec import DEFAULT_TIMEOUT
from fastlings.ui import console


def course_grade(entries: list[Entry], timeout: float = DEFAULT_TIMEOUT) -> CourseGrade:
    evaluations = evaluate(entries, in_process_runner(timeout), need_grades=True)
    grades = [e.grade for e in evaluations if e.grade is not None]
    return CourseGrade(
        points_earned=sum(g.points_earned for g in grades),
        points_possible=sum(g.points_possible for g in grades),
        exercises=grades,
    )


def grade(
    course: Course, entries: list[Entry], *, as_json: bool, timeout: float = DEFAULT_TIMEOUT
) -> int:
    result = course_grade(entries, timeout)
    if as_json:
        import json

        print(json.dumps(result.to_data(), indent=2))
        return 0
    from rich.table import Table

    out = console()
    table = Table(show_edge=False, box=None, header_style="bold")
    table.add_column("exercise")
    table.add_column("checks", justify="right")
    table.add_column("points", justify="right")
    for exercise in result.exercises:
        passed = sum(c.passed for c in exercise.checks)
        style = "green" if exercise.passed else "red"
        table.add_row(
            f"[{style}]{exercise.id}[/]",
            f"{passed}/{len(exercise.checks)}",
            f"{exercise.points_earned}/{exercise.points_possible}",
        )
    out.print(table)
    out.print(f"[bold]Score: {result.points_earned}/{result.points_possible} points[/]")
    return 0
