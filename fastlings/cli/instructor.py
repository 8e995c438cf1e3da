"""`fastlings class ...`: the instructors' commands. Declarations only.

- `class grade SUBMISSIONS`: grade every learner's exercises/ against this course's checks;
- `class autograde EXERCISES --submission DIR`: one submission, for GitHub Classroom;
- `class workshop start|stop|status`: focus the course on the chapters of the day;
- `class dashboard`: the live workshop dashboard; learners `class join` it and `class leave`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastlings.cli.common import DbServerOption, RootOption, course_root, fail
from fastlings.run.spec import DEFAULT_TIMEOUT

class_app = typer.Typer(
    help="Instructors: grade a class, autograde on GitHub Classroom, run a workshop.",
    no_args_is_help=True,
)
workshop_app = typer.Typer(
    help="Workshop mode: focus the course on the chapters of the day.", no_args_is_help=True
)
class_app.add_typer(workshop_app, name="workshop")

CheckTimeout = Annotated[float, typer.Option("--check-timeout", min=1, help="Seconds per check.")]
ExerciseTimeout = Annotated[
    float, typer.Option("--exercise-timeout", min=5, help="Wall-clock seconds per exercise.")
]
UnsafeOption = Annotated[
    bool,
    typer.Option(
        "--unsafe-no-sandbox",
        help="Run learner code without the bubblewrap sandbox (trusted code only).",
    ),
]


@class_app.command("grade")
def grade(
    submissions: Annotated[
        Path,
        typer.Argument(
            exists=True, file_okay=False, help="A folder with one course copy per learner."
        ),
    ],
    exercises: Annotated[
        str | None,
        typer.Option(
            "--exercises", help="Grade only these: chapter numbers or ranges (1-4), or ids."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Learners graded at once.")] = 1,
    out: Annotated[
        Path, typer.Option("--out", help="Where grades.csv, grades.json, report.html go.")
    ] = Path("."),
    check_timeout: CheckTimeout = DEFAULT_TIMEOUT,
    exercise_timeout: ExerciseTimeout = 60.0,
    memory_mb: Annotated[int, typer.Option("--memory-mb", min=256)] = 2048,
    db_server: DbServerOption = None,
    learner_timeout: Annotated[
        float,
        typer.Option("--learner-timeout", min=10, help="Wall-clock seconds per learner, in all."),
    ] = 600.0,
    reuse: Annotated[
        bool,
        typer.Option(
            help="Grade a file identical to the course's starter or solution from the grader's "
            "own run of it; --no-reuse runs every learner's every file."
        ),
    ] = True,
    unsafe_no_sandbox: UnsafeOption = False,
    root: RootOption = None,
) -> None:
    """Grade every learner's exercises/ against this course's own checks, each in a sandbox."""
    from fastlings.grading.commands import grade_class

    code = grade_class(
        course_root(root),
        submissions,
        exercises=exercises,
        jobs=jobs,
        out=out,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
        learner_timeout=learner_timeout,
        memory_mb=memory_mb,
        db_server=db_server,
        reuse=reuse,
        unsafe_no_sandbox=unsafe_no_sandbox,
    )
    raise typer.Exit(code)


@class_app.command()
def autograde(
    exercises: Annotated[str, typer.Argument(help="The exercise id(s), chapter(s) or range.")],
    submission: Annotated[
        Path,
        typer.Option(exists=True, file_okay=False, help="The learner's copy of the course."),
    ],
    check_timeout: CheckTimeout = DEFAULT_TIMEOUT,
    exercise_timeout: ExerciseTimeout = 60.0,
    unsafe_no_sandbox: UnsafeOption = False,
    at_least: Annotated[
        int | None,
        typer.Option(
            "--at-least",
            min=1,
            help="Exit 0 when at least this many of the exercise's checks pass (one Classroom "
            "step per share of a partial-credit exercise).",
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """GitHub Classroom: grade one submission in the sandbox; exit 0 only on full points."""
    from fastlings.grading.commands import autograde as run_autograde

    code = run_autograde(
        course_root(root),
        submission,
        exercises,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
        unsafe_no_sandbox=unsafe_no_sandbox,
        at_least=at_least,
    )
    raise typer.Exit(code)


@workshop_app.command("start")
def workshop_start(
    chapters: Annotated[str, typer.Argument(help="The chapters of the day, e.g. 1-4 or 2,5.")],
    title: Annotated[str | None, typer.Option(help="A name for the workshop.")] = None,
    root: RootOption = None,
) -> None:
    """Write workshop.toml: `fastlings`, `list` and `grade` then focus on these chapters."""
    from fastlings import workshop
    from fastlings.cli.common import load

    course = load(root)
    try:
        path = workshop.start(course, chapters, title)
    except workshop.WorkshopError as exc:
        fail(str(exc))
    entries = workshop.focus(course)
    typer.echo(f"wrote {path.name}: {len(entries)} exercise(s) in focus; commit it.")


@workshop_app.command("stop")
def workshop_stop(root: RootOption = None) -> None:
    """Remove workshop.toml: the whole course is in focus again."""
    from fastlings import workshop
    from fastlings.cli.common import load

    removed = workshop.stop(load(root))
    typer.echo("workshop mode off" if removed else "no workshop file")


@workshop_app.command("status")
def workshop_status(root: RootOption = None) -> None:
    """Show the chapters in focus."""
    from fastlings import workshop
    from fastlings.cli.common import load

    course = load(root)
    try:
        info = workshop.load_workshop(course)
    except workshop.WorkshopError as exc:
        fail(str(exc))
    if info is None:
        typer.echo("no workshop: the whole course is in focus")
        return
    typer.echo(f"workshop{': ' + info.title if info.title else ''}")
    for chapter in info.chapters:
        typer.echo(f"  {chapter}")


@class_app.command()
def dashboard(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Interface to listen on (default: this machine only).")
    ] = "127.0.0.1",
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="The dashboard's database (default: SQLite).")
    ] = None,
    state_dir: Annotated[
        Path | None, typer.Option("--state-dir", help="Where dashboard.json goes.")
    ] = None,
    root: RootOption = None,
) -> None:
    """The live workshop dashboard: who is stuck where, on which check, right now."""
    from fastlings.dashboard.server import serve

    state = state_dir or course_root(root) / ".fastlings" / "dashboard"
    serve(state, host, port, db_url)


@class_app.command()
def join(
    url: Annotated[str, typer.Argument(help="The dashboard's URL, as the instructor gave it.")],
    code: Annotated[str, typer.Argument(help="The room's join code.")],
    name: Annotated[str, typer.Option("--name", help="Your name, as the room will see it.")],
    root: RootOption = None,
) -> None:
    """Learners: send your runs' results (names and headlines, never code) to the room."""
    from fastlings.dashboard.client import JoinError
    from fastlings.dashboard.client import join as run_join

    try:
        shown = run_join(course_root(root), url, code, name)
    except JoinError as exc:
        fail(str(exc), 1)
    typer.echo(f"Joined as {shown}: each check and watch run now sends one small event.")
    typer.echo("`fastlings class leave` stops it.")


@class_app.command()
def leave(root: RootOption = None) -> None:
    """Learners: stop sending events to the room, and forget its token."""
    from fastlings.dashboard.client import leave as run_leave

    left = run_leave(course_root(root))
    typer.echo("Left the room." if left else "You had not joined a room.")
