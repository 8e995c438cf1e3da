"""The terminal side of `fastlings class grade`: a progress bar, then a summary table."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fastlings.course.manifest import ManifestError, load_course
from fastlings.grade_class import (
    ClassOptions,
    LearnerGrade,
    find_submissions,
    grade_class,
    summary_rows,
    write_outputs,
)
from fastlings.sandbox import Limits
from fastlings.workshop import WorkshopError, select_entries


def run_grade_class(
    root: Path,
    submissions_dir: Path,
    *,
    exercises: str | None,
    jobs: int,
    out: Path,
    check_timeout: float,
    exercise_timeout: float,
    memory_mb: int,
    db_url: str | None,
    fork_server: bool = True,
    reuse: bool = True,
) -> int:
    console = Console(stderr=True)
    try:
        course = load_course(root)
        entries = select_entries(course, exercises) if exercises else course.entries()
    except (ManifestError, WorkshopError) as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    submissions = find_submissions(submissions_dir)
    if not submissions:
        console.print(f"[red]{submissions_dir} holds no submission folder[/red]")
        return 2
    options = ClassOptions(
        jobs=jobs,
        limits=Limits(
            check_timeout=check_timeout,
            wall_per_exercise=exercise_timeout,
            memory_mb=memory_mb,
        ),
        db_url=db_url,
        fork_server=fork_server,
        reuse=reuse,
    )
    console.print(
        f"Grading {len(submissions)} submission(s) on {len(entries)} exercise(s) with {jobs} job(s)"
    )
    with Progress(
        TextColumn("[bold]grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("", total=len(submissions))

        def advance(grade: LearnerGrade) -> None:
            progress.update(
                task,
                advance=1,
                description=f"{grade.learner}: {grade.points_earned}/{grade.points_possible}",
            )

        try:
            result = grade_class(course, entries, submissions, options, progress=advance)
        except RuntimeError as exc:
            console.print(f"[red]{exc}[/red]")
            return 1
    paths = write_outputs(result, out)

    table = Table(title=f"{course.course.title}: {len(submissions)} learner(s)")
    table.add_column("learner", style="bold")
    table.add_column("points", justify="right")
    table.add_column("exercises passed", justify="right")
    table.add_column("zero by the grader (reason)", overflow="fold")
    for row in summary_rows(result):
        table.add_row(
            row["learner"], row["points"], f"{row['passed']}/{len(entries)}", row["problems"]
        )
    Console().print(table)
    rates = result.pass_rates()
    stuck = sorted(rates.items(), key=lambda item: item[1])[:3]
    console.print("Lowest pass rates: " + ", ".join(f"{ex} {rate:.0%}" for ex, rate in stuck))
    for label, path in paths.items():
        console.print(f"wrote {label}: {path}")
    console.print(f"graded in {result.seconds:.1f}s")
    return 0


def run_autograde(
    root: Path,
    submission: Path,
    spec: str,
    *,
    check_timeout: float,
    exercise_timeout: float,
) -> int:
    """Grade one submission's selected exercises (GitHub Classroom's command): 0 = full points."""
    from fastlings.grade_class import ClassGrader

    console = Console()
    try:
        course = load_course(root)
        entries = select_entries(course, spec)
    except (ManifestError, WorkshopError) as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    options = ClassOptions(
        jobs=1,
        limits=Limits(check_timeout=check_timeout, wall_per_exercise=exercise_timeout),
        fork_server=False,  # one learner: a fork server would only add its own start-up
    )
    grader = ClassGrader(course, entries, options)
    try:
        grader.collect_expected()
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    grade = grader.grade(submission.resolve())
    for exercise in grade.exercises:
        mark = "✓" if exercise.passed else "✗"
        console.print(
            f"{mark} {exercise.id}: {exercise.points_earned}/{exercise.points_possible} points",
            highlight=False,
        )
        if exercise.reason:
            console.print(f"    {exercise.reason}", highlight=False, markup=False)
        for check in exercise.checks:
            if not check.passed:
                console.print(
                    f"    ✗ {check.name}: {check.message or check.outcome}",
                    highlight=False,
                    markup=False,
                )
    return 0 if all(e.passed for e in grade.exercises) else 1
