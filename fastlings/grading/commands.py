"""The grading commands' entry points, one function per command (the CLI only declares them):
`grade_class` (`fastlings class grade`), `autograde` (`fastlings class autograde`) and
`classroom_workflow`. Exit codes: 0 done, 1 failed, 2 bad input or no sandbox."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fastlings.course.manifest import ManifestError, load_course
from fastlings.grading.grader import ClassGrader
from fastlings.grading.grader import grade_class as grade_whole_class
from fastlings.grading.models import ClassOptions, LearnerGrade, Limits
from fastlings.grading.report import OutputError, summary_rows, terminal_safe, write_outputs
from fastlings.grading.sandbox import SandboxUnavailable
from fastlings.grading.submissions import find_submissions, snapshot
from fastlings.workshop import WorkshopError, select_entries

UNSAFE_WARNING = (
    "WARNING: --unsafe-no-sandbox: learner code runs WITHOUT the sandbox, with your rights. "
    "Use it only for code you trust; the report says so."
)


def _plain(console: Console, text: str, style: str | None = None) -> None:
    console.print(Text(terminal_safe(text), style=style or ""))


def grade_class(
    root: Path,
    submissions_dir: Path,
    *,
    exercises: str | None = None,
    jobs: int = 1,
    out: Path = Path("."),
    check_timeout: float = 10.0,
    exercise_timeout: float = 60.0,
    learner_timeout: float = 600.0,
    memory_mb: int = 2048,
    db_server: str | None = None,
    reuse: bool = True,
    unsafe_no_sandbox: bool = False,
) -> int:
    console = Console(stderr=True, highlight=False)
    try:
        course = load_course(root)
        entries = select_entries(course, exercises) if exercises else course.entries()
    except (ManifestError, WorkshopError) as exc:
        _plain(console, str(exc), "red")
        return 2
    submissions, skipped = find_submissions(submissions_dir)
    for item in skipped:
        _plain(console, f"skipped {item.folder}: {item.reason}", "yellow")
    if not submissions:
        _plain(console, f"{submissions_dir} holds no submission folder", "red")
        return 2
    if unsafe_no_sandbox:
        _plain(console, UNSAFE_WARNING, "bold red")
    options = ClassOptions(
        jobs=jobs,
        limits=Limits(
            check_timeout=check_timeout,
            wall_per_exercise=exercise_timeout,
            learner_budget=learner_timeout,
            memory_mb=memory_mb,
        ),
        db_server=db_server,
        reuse=reuse,
        unsafe_no_sandbox=unsafe_no_sandbox,
    )
    what = f"{len(submissions)} submission(s) on {len(entries)} exercise(s) with {jobs} job(s)"
    _plain(console, f"Grading {what}")
    with Progress(
        TextColumn("[bold]grading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}", markup=False),
        console=console,
    ) as progress:
        task = progress.add_task("", total=len(submissions), last="")

        def advance(grade: LearnerGrade) -> None:
            last = terminal_safe(f"{grade.learner}: {grade.points_earned}/{grade.points_possible}")
            progress.update(task, advance=1, last=last)

        try:
            result = grade_whole_class(course, entries, submissions, options, advance, skipped)
        except SandboxUnavailable as exc:
            _plain(console, f"refusing to grade untrusted code: {exc}", "red")
            return 2
        except RuntimeError as exc:
            _plain(console, str(exc), "red")
            return 1
    table = Table(
        title=Text(f"{terminal_safe(course.course.title)}: {len(submissions)} learner(s)")
    )
    table.add_column("learner", style="bold")
    table.add_column("points", justify="right")
    table.add_column("exercises passed", justify="right")
    table.add_column("zero by the grader (reason)", overflow="fold")
    for row in summary_rows(result):
        table.add_row(
            Text(row["learner"]),
            row["points"],
            f"{row['passed']}/{len(entries)}",
            Text(row["problems"]),
        )
    Console(highlight=False).print(table)
    rates = result.pass_rates()
    stuck = sorted(rates.items(), key=lambda item: item[1])[:3]
    _plain(console, "Lowest pass rates: " + ", ".join(f"{ex} {rate:.0%}" for ex, rate in stuck))
    _plain(console, f"isolation: {result.isolation}")
    try:
        paths = write_outputs(result, out)
    except OutputError as exc:
        _plain(console, str(exc.strerror or exc), "red")
        return 1
    for label, path in paths.items():
        _plain(console, f"wrote {label}: {path}")
    _plain(console, f"graded in {result.seconds:.1f}s")
    return 0


def autograde(
    root: Path,
    submission: Path,
    spec: str,
    *,
    check_timeout: float = 10.0,
    exercise_timeout: float = 60.0,
    unsafe_no_sandbox: bool = False,
    at_least: int | None = None,
) -> int:
    """Grade one submission's selected exercises (GitHub Classroom's command), in the same
    sandbox as `grade_class`: 0 = full points, or with `at_least`, at least that many of the
    checks pass (Classroom scores a partial-credit exercise as one step per share)."""
    console = Console(highlight=False)
    try:
        course = load_course(root)
        entries = select_entries(course, spec)
    except (ManifestError, WorkshopError) as exc:
        _plain(console, str(exc), "red")
        return 2
    if unsafe_no_sandbox:
        _plain(console, UNSAFE_WARNING, "bold red")
    options = ClassOptions(
        jobs=1,
        limits=Limits(check_timeout=check_timeout, wall_per_exercise=exercise_timeout),
        unsafe_no_sandbox=unsafe_no_sandbox,
        reuse=False,
    )
    try:
        grader = ClassGrader(course, entries, options)
        grader.collect_expected()
    except SandboxUnavailable as exc:
        _plain(console, f"refusing to grade untrusted code: {exc}", "red")
        return 2
    except RuntimeError as exc:
        _plain(console, str(exc), "red")
        return 2
    grade = grader.grade(snapshot(submission.absolute(), entries))
    for exercise in grade.exercises:
        mark = "✓" if exercise.passed else "✗"
        _plain(
            console,
            f"{mark} {exercise.id}: {exercise.points_earned}/{exercise.points_possible} points",
        )
        if exercise.reason:
            _plain(console, f"    {exercise.reason}")
        for check in exercise.checks:
            if not check.passed:
                _plain(console, f"    ✗ {check.name}: {check.message or check.outcome}")
    if at_least is not None:
        passing = sum(c.passed for e in grade.exercises for c in e.checks)
        return 0 if passing >= at_least and not any(e.reason for e in grade.exercises) else 1
    return 0 if all(e.passed for e in grade.exercises) else 1


def classroom_workflow(root: Path) -> str:
    """(Re)write .github/workflows/classroom.yml from course.toml; the line to print."""
    from fastlings.classroom import write_workflow

    course = load_course(root)
    path = write_workflow(course)
    return f"wrote {path.relative_to(course.root)} ({course.total_points} points)"
