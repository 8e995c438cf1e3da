"""The `fastlings` command. This module only declares commands; each lives in its own module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fastlings.manifest import ManifestError, find_root

app = typer.Typer(
    help="Fastlings: learn modern FastAPI by making failing checks pass.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="The course folder (default: found from the current folder)."),
]


@app.callback(invoke_without_command=True)
def start(ctx: typer.Context) -> None:
    """With no command: start the course."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def _root(root: Path | None) -> Path:
    try:
        return find_root(root)
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@app.command()
def verify(
    root: RootOption = None,
    lint: Annotated[bool, typer.Option(help="Run ruff and mypy.")] = True,
    notebooks: Annotated[bool, typer.Option(help="Validate the notebooks with nbval.")] = True,
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="Run the checks on this database server.")
    ] = None,
) -> None:
    """The maintainers' gate: manifest and files agree, starters fail, solutions pass."""
    from fastlings.verify import verify as run_verify

    report = run_verify(_root(root), lint=lint, notebooks=notebooks, db_url=db_url)
    raise typer.Exit(1 if report.breaches else 0)


@app.command()
def snippets(root: RootOption = None) -> None:
    """Refresh the code snippets in the lessons from the files they copy (maintainers)."""
    from fastlings.manifest import lesson_path, load_course
    from fastlings.snippets import refresh, render_readme

    course_root = _root(root)
    course = load_course(course_root)
    changed = refresh(course_root, [lesson_path(course_root, c) for c in course.chapters])
    readme = course_root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if render_readme(course, text) != text:
            readme.write_text(render_readme(course, text), encoding="utf-8")
            changed.append(readme)
    for lesson in changed:
        typer.echo(f"refreshed {lesson.relative_to(course_root)}")
    typer.echo(f"{len(changed)} lesson(s) changed")


def main() -> None:
    app()


# -- instructors: grade-class and workshop mode (fastlings/grade_class.py, workshop.py) -------
workshop_app = typer.Typer(help="Workshop mode: focus the course on the chapters of the day.")
app.add_typer(workshop_app, name="workshop")


@app.command("grade-class")
def grade_class_command(
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
    check_timeout: Annotated[
        float, typer.Option("--check-timeout", min=1, help="Seconds per check.")
    ] = 10.0,
    exercise_timeout: Annotated[
        float,
        typer.Option("--exercise-timeout", min=5, help="Wall-clock seconds per exercise."),
    ] = 60.0,
    memory_mb: Annotated[int, typer.Option("--memory-mb", min=256)] = 2048,
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="Run the checks on this database server.")
    ] = None,
    fork_server: Annotated[
        bool,
        typer.Option(
            help="Fork each learner's process from a pre-imported server (faster); "
            "--no-fork-server starts each from scratch."
        ),
    ] = True,
    reuse: Annotated[
        bool,
        typer.Option(
            help="Grade a file identical to the course's starter or solution from the grader's "
            "own run of it; --no-reuse runs every learner's every file."
        ),
    ] = True,
    root: RootOption = None,
) -> None:
    """Instructors: grade every learner's exercises/ against this course's own checks."""
    from fastlings.grade_class_cli import run_grade_class

    code = run_grade_class(
        _root(root),
        submissions,
        exercises=exercises,
        jobs=jobs,
        out=out,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
        memory_mb=memory_mb,
        db_url=db_url,
        fork_server=fork_server,
        reuse=reuse,
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
    from fastlings.manifest import load_course

    course = load_course(_root(root))
    try:
        path = workshop.start(course, chapters, title)
    except workshop.WorkshopError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    entries = workshop.focus(course)
    typer.echo(f"wrote {path.name}: {len(entries)} exercise(s) in focus; commit it.")


@workshop_app.command("stop")
def workshop_stop(root: RootOption = None) -> None:
    """Remove workshop.toml: the whole course is in focus again."""
    from fastlings import workshop
    from fastlings.manifest import load_course

    removed = workshop.stop(load_course(_root(root)))
    typer.echo("workshop mode off" if removed else "no workshop file")


@workshop_app.command("status")
def workshop_status(root: RootOption = None) -> None:
    """Show the chapters in focus."""
    from fastlings import workshop
    from fastlings.manifest import load_course

    course = load_course(_root(root))
    try:
        info = workshop.load_workshop(course)
    except workshop.WorkshopError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if info is None:
        typer.echo("no workshop: the whole course is in focus")
        return
    typer.echo(f"workshop{': ' + info.title if info.title else ''}")
    for chapter in info.chapters:
        typer.echo(f"  {chapter}")


@app.command()
def autograde(
    exercises: Annotated[str, typer.Argument(help="The exercise id(s), chapter(s) or range.")],
    submission: Annotated[
        Path,
        typer.Option(exists=True, file_okay=False, help="The learner's copy of the course."),
    ],
    check_timeout: Annotated[float, typer.Option("--check-timeout", min=1)] = 10.0,
    exercise_timeout: Annotated[float, typer.Option("--exercise-timeout", min=5)] = 60.0,
    root: RootOption = None,
) -> None:
    """Instructors' CI (GitHub Classroom): grade one submission; exit 0 only on full points."""
    from fastlings.grade_class_cli import run_autograde

    code = run_autograde(
        _root(root),
        submission,
        exercises,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
    )
    raise typer.Exit(code)


@app.command("classroom-workflow")
def classroom_workflow(root: RootOption = None) -> None:
    """Maintainers: (re)write .github/workflows/classroom.yml from course.toml."""
    from fastlings.classroom import write_workflow
    from fastlings.manifest import load_course

    course = load_course(_root(root))
    path = write_workflow(course)
    typer.echo(f"wrote {path.relative_to(course.root)} ({course.total_points} points)")
