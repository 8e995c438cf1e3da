"""The `fastlings` command. This module only declares commands; each lives in its own module.

`fastlings check EXERCISE` takes a short path that skips typer (see `main`): it is the command
a learner runs most, and its cost should be the checks, not the command-line parser.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fastlings.inprocess import DEFAULT_TIMEOUT
from fastlings.manifest import ManifestError, Target, find_root

if TYPE_CHECKING:
    from fastlings.manifest import Course, Entry

app = typer.Typer(
    help=(
        "Fastlings: learn modern FastAPI by making failing checks pass.\n\n"
        "With no command: watch mode. It shows the first exercise that does not pass yet and "
        "re-checks it on every save. Keys: h hint, l list, n next, r re-run, q quit."
    ),
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RootOption = Annotated[
    Path | None,
    typer.Option("--root", help="The course folder (default: found from the current folder)."),
]
ExerciseArg = Annotated[
    str, typer.Argument(help="Exercise id (ex01_users_router), chapter/id, or its file.")
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds before a hanging check is stopped.")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@app.callback(invoke_without_command=True)
def start(
    ctx: typer.Context,
    manual: Annotated[
        bool, typer.Option("--manual", help="Re-run on Enter instead of on file changes.")
    ] = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    root: RootOption = None,
) -> None:
    """With no command: watch mode. Shows the current exercise and re-checks it on every save.

    Keys: h hint, l list, n next exercise, r re-run, q quit.
    """
    if ctx.invoked_subcommand is None:
        from fastlings.commands.watch import watch

        raise typer.Exit(watch(_root(root), manual=manual, timeout=timeout))


def _root(root: Path | None) -> Path:
    try:
        return find_root(root)
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _course(root: Path | None) -> Course:
    from fastlings.manifest import load_course

    try:
        return load_course(_root(root))
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _entry(course: Course, name: str) -> Entry:
    from fastlings.names import UnknownExercise, resolve

    try:
        return resolve(course, name)
    except UnknownExercise as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _focus(course: Course) -> list[Entry]:
    from fastlings.workshop import focus

    return focus(course)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        typer.echo(f"{question} [y/N]: no terminal to ask; pass --yes to confirm.", err=True)
        return False
    return typer.confirm(question, default=False)


@app.command("list")
def list_(root: RootOption = None, timeout: TimeoutOption = DEFAULT_TIMEOUT) -> None:
    """Every exercise with its status, points, lesson and notebook, and your score."""
    from fastlings.commands import listing
    from fastlings.commands.check import in_process_runner
    from fastlings.progress import evaluate
    from fastlings.ui import console, leave

    course = _course(root)
    evaluations = evaluate(_focus(course), in_process_runner(timeout))
    listing.show(console(), evaluations)
    leave(0)


@app.command()
def check(
    exercise: Annotated[str | None, typer.Argument(help="The exercise to check.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every exercise in focus.")] = False,
    target: Annotated[
        str, typer.Option("--target", help="exercise (yours) or solution (the references).")
    ] = "exercise",
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="Run the checks on this database server.")
    ] = None,
    root: RootOption = None,
) -> None:
    """Check one exercise (default: the current one), or all with --all.

    Exit code 0 when everything checked passes, 1 if not, 2 for a bad name or option."""
    from fastlings.commands.check import check as run_check
    from fastlings.ui import leave

    if target not in ("exercise", "solution"):
        typer.echo("--target must be 'exercise' or 'solution'", err=True)
        raise typer.Exit(2)
    if exercise is not None and all_:
        typer.echo("Name one exercise, or pass --all, not both.", err=True)
        raise typer.Exit(2)
    course = _course(root)
    if all_:
        entries = _focus(course)
    elif exercise is not None:
        entries = [_entry(course, exercise)]
    else:  # the current exercise: the first one in focus that does not pass yet
        from fastlings.commands.check import in_process_runner
        from fastlings.progress import evaluate

        statuses = evaluate(_focus(course), in_process_runner(timeout))
        entries = [s.entry for s in statuses if s.status != "passed"][:1]
        if not entries:
            typer.echo("Every exercise passes.")
            leave(0)
    checked: Target = "solution" if target == "solution" else "exercise"
    leave(run_check(course, entries, checked, timeout=timeout, db_url=db_url))


@app.command()
def hint(exercise: ExerciseArg, root: RootOption = None) -> None:
    """Show the exercise's hints, one more each time."""
    from fastlings.commands import hints
    from fastlings.ui import console

    entry = _entry(_course(root), exercise)
    count, new = hints.reveal(entry)
    console().print(hints.render(entry, count, new))


@app.command()
def reset(
    exercise: ExerciseArg,
    undo: Annotated[bool, typer.Option("--undo", help="Restore the newest backup.")] = False,
    yes: YesOption = False,
    root: RootOption = None,
) -> None:
    """Restore the starter (your file is backed up first), or --undo the last reset."""
    from fastlings.commands import backups
    from fastlings.ui import rel

    course = _course(root)
    entry = _entry(course, exercise)
    shown = rel(entry.exercise_path, course.root)
    try:
        starter = backups.pristine(entry) if not undo else None
        if undo:
            try:
                maybe_starter = backups.pristine(entry)
            except backups.ResetError:
                maybe_starter = None
            if not _confirm(f"Replace {shown} with its newest backup?", yes):
                raise typer.Exit(1)
            restored, saved = backups.undo(entry, maybe_starter)
            if saved:
                typer.echo(f"Saved your current file to {rel(saved, course.root)}")
            typer.echo(f"Restored {shown} from {rel(restored, course.root)}")
            return
        assert starter is not None
        if not _confirm(f"Reset {shown} to the starter? (your file is backed up first)", yes):
            raise typer.Exit(1)
        saved = backups.reset(entry, starter)
    except backups.ResetError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if saved:
        typer.echo(f"Saved your file to {rel(saved, course.root)}")
    typer.echo(f"Reset {shown} to the starter ({starter.source}).")
    typer.echo(f"Changed your mind? `fastlings reset {entry.id} --undo` brings your file back.")


@app.command()
def diff(
    exercise: ExerciseArg,
    yes: YesOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    root: RootOption = None,
) -> None:
    """Your file against the reference solution (asks first while it does not pass)."""
    from fastlings.commands import diff as diffs
    from fastlings.commands.check import in_process_runner
    from fastlings.progress import evaluate
    from fastlings.ui import console, leave

    course = _course(root)
    entry = _entry(course, exercise)
    status = evaluate([entry], in_process_runner(timeout))[0].status
    if status != "passed" and not _confirm(
        f"{entry.id} does not pass yet. Peek at the solution anyway?", yes
    ):
        raise typer.Exit(1)
    lines = diffs.unified(entry)
    if not lines:
        typer.echo("Your file is identical to the reference solution.")
    else:
        diffs.show(console(), lines)
    leave(0)


@app.command("solutions-branch")
def solutions_branch(root: RootOption = None) -> None:
    """Create a local git branch `solutions` whose exercises/ hold the reference solutions."""
    from fastlings.commands.solutions_branch import BranchError, create

    course = _course(root)
    try:
        branch, commit, count = create(course)
    except BranchError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Created branch {branch!r} at {commit[:12]}: {count} exercise(s) hold their solution.\n"
        f"See every fix with: git diff HEAD {branch} --\n"
        "(the final -- tells git that 'solutions' is the branch, not the folder)"
    )


@app.command()
def serve(
    exercise: ExerciseArg,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    target: Annotated[str, typer.Option(help="exercise (yours) or solution.")] = "exercise",
    root: RootOption = None,
) -> None:
    """Run the exercise's app under uvicorn with reload; try it at /docs in a browser."""
    from fastlings.commands.serve import serve as run_serve

    entry = _entry(_course(root), exercise)
    run_serve(entry, "solution" if target == "solution" else "exercise", host, port)


@app.command()
def grade(
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
    root: RootOption = None,
) -> None:
    """Your score, from the checks and the manifest's points."""
    from fastlings.commands.grade import grade as run_grade
    from fastlings.ui import leave

    course = _course(root)
    leave(run_grade(course, _focus(course), as_json=json_, timeout=timeout))


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


# -- instructors: grade-class and workshop mode (fastlings/grading/, workshop.py) ------------
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
    unsafe_no_sandbox: Annotated[
        bool,
        typer.Option(
            "--unsafe-no-sandbox",
            help="Run learner code without the bubblewrap sandbox (trusted code only).",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """Instructors: grade every learner's exercises/ against this course's own checks."""
    from fastlings.grading.commands import grade_class

    code = grade_class(
        _root(root),
        submissions,
        exercises=exercises,
        jobs=jobs,
        out=out,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
        memory_mb=memory_mb,
        learner_timeout=learner_timeout,
        db_url=db_url,
        reuse=reuse,
        unsafe_no_sandbox=unsafe_no_sandbox,
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
    unsafe_no_sandbox: Annotated[
        bool,
        typer.Option("--unsafe-no-sandbox", help="Run without the sandbox (trusted code only)."),
    ] = False,
    root: RootOption = None,
) -> None:
    """Instructors' CI (GitHub Classroom): grade one submission; exit 0 only on full points."""
    from fastlings.grading.commands import autograde as run_autograde

    code = run_autograde(
        _root(root),
        submission,
        exercises,
        check_timeout=check_timeout,
        exercise_timeout=exercise_timeout,
        unsafe_no_sandbox=unsafe_no_sandbox,
    )
    raise typer.Exit(code)


@app.command("classroom-workflow")
def classroom_workflow(root: RootOption = None) -> None:
    """Maintainers: (re)write .github/workflows/classroom.yml from course.toml."""
    from fastlings.grading.commands import classroom_workflow as write

    typer.echo(write(_root(root)))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted: nothing was changed.\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
