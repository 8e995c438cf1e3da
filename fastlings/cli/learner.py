"""Learner commands: watch (no command), list, check, hint, reset, diff, serve, grade,
solutions-branch. Declarations only; each command's logic is in `fastlings/learner/`."""

from __future__ import annotations

from typing import Annotated

import typer

from fastlings.cli.common import (
    DEFAULT,
    DbServerOption,
    ExerciseArg,
    OptionalExerciseArg,
    RootOption,
    TargetOption,
    TimeoutOption,
    YesOption,
    confirm,
    course_root,
    entry,
    fail,
    focus,
    load,
)


def start(
    ctx: typer.Context,
    manual: Annotated[
        bool, typer.Option("--manual", help="Re-run on Enter instead of on file changes.")
    ] = False,
    poll: Annotated[
        bool,
        typer.Option("--poll", help="Poll for saved files (file systems without events)."),
    ] = False,
    edit_cmd: Annotated[
        str | None,
        typer.Option(
            "--edit-cmd",
            envvar="FASTLINGS_EDIT_CMD",
            help="Open each exercise shown with this command, e.g. 'code'.",
        ),
    ] = None,
    timeout: TimeoutOption = DEFAULT,
    root: RootOption = None,
) -> None:
    """With no command: watch mode. Shows the current exercise and re-checks it on every save.

    Keys: h hint, l list, n next exercise, r re-run, q quit.
    """
    if ctx.invoked_subcommand is None:
        from fastlings.learner.watch import watch

        raise typer.Exit(
            watch(course_root(root), manual=manual, timeout=timeout, poll=poll, edit_cmd=edit_cmd)
        )


def list_(root: RootOption = None, timeout: TimeoutOption = DEFAULT) -> None:
    """Every exercise with its status, points, lesson and notebook, and your score."""
    from fastlings.learner import listing
    from fastlings.learner.check import in_process_runner
    from fastlings.learner.progress import evaluate
    from fastlings.ui import console, leave

    evaluations = evaluate(focus(load(root)), in_process_runner(timeout))
    listing.show(console(), evaluations)
    leave(0)


def check(
    exercise: OptionalExerciseArg = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every exercise in focus.")] = False,
    target: TargetOption = "exercise",
    timeout: TimeoutOption = DEFAULT,
    db_server: DbServerOption = None,
    root: RootOption = None,
) -> None:
    """Check one exercise (default: the current one), or all with --all.

    Exit code 0 when everything checked passes, 1 if not, 2 for a bad name or option."""
    from fastlings.learner.check import check as run_check
    from fastlings.learner.check import current
    from fastlings.ui import leave

    if exercise is not None and all_:
        fail("Name one exercise, or pass --all, not both.")
    course = load(root)
    if all_:
        entries = focus(course)
    elif exercise is not None:
        entries = [entry(course, exercise)]
    else:
        found = current(focus(course), timeout)
        if found is None:
            typer.echo("Every exercise passes.")
            leave(0)
        entries = [found]
    leave(run_check(course, entries, target, timeout=timeout, db_server=db_server))


def hint(exercise: OptionalExerciseArg = None, root: RootOption = None) -> None:
    """Show the exercise's hints (default: the current exercise), one more each time."""
    from fastlings.learner import hints
    from fastlings.learner.check import current
    from fastlings.ui import console

    course = load(root)
    chosen = entry(course, exercise) if exercise is not None else current(focus(course))
    if chosen is None:
        typer.echo("Every exercise passes: no hint needed.")
        return
    count, new = hints.reveal(chosen)
    console().print(hints.render(chosen, count, new))


def edit(exercise: OptionalExerciseArg = None, root: RootOption = None) -> None:
    """Open the exercise (default: the current one) in $VISUAL or $EDITOR."""
    from fastlings.learner.check import current
    from fastlings.learner.edit import EditorError
    from fastlings.learner.edit import edit as run_edit

    course = load(root)
    chosen = entry(course, exercise) if exercise is not None else current(focus(course))
    if chosen is None:
        typer.echo("Every exercise passes: nothing to edit.")
        return
    try:
        raise typer.Exit(run_edit(chosen.exercise_path))
    except EditorError as exc:
        fail(str(exc))


def reset(
    exercise: ExerciseArg,
    undo: Annotated[bool, typer.Option("--undo", help="Restore the newest backup.")] = False,
    yes: YesOption = False,
    root: RootOption = None,
) -> None:
    """Restore the starter (your file is backed up first), or --undo the last reset."""
    from fastlings.learner.reset import reset as run_reset

    course = load(root)
    code = run_reset(
        course,
        entry(course, exercise),
        undo=undo,
        confirm=lambda question: confirm(question, yes),
        echo=typer.echo,
    )
    raise typer.Exit(code)


def diff(
    exercise: ExerciseArg,
    yes: YesOption = False,
    timeout: TimeoutOption = DEFAULT,
    root: RootOption = None,
) -> None:
    """Your file against the reference solution (asks first while it does not pass)."""
    from fastlings.learner.diff import compare

    course = load(root)
    raise typer.Exit(compare(entry(course, exercise), timeout, confirm=lambda q: confirm(q, yes)))


def solutions_branch(root: RootOption = None) -> None:
    """Create a local git branch `solutions` whose exercises/ hold the reference solutions."""
    from fastlings.learner.solutions_branch import BranchError, create

    try:
        branch, commit, count = create(load(root))
    except BranchError as exc:
        fail(str(exc), 1)
    typer.echo(
        f"Created branch {branch!r} at {commit[:12]}: {count} exercise(s) hold their solution.\n"
        f"See every fix with: git diff HEAD {branch} --\n"
        "(the final -- tells git that 'solutions' is the branch, not the folder)"
    )


def serve(
    exercise: ExerciseArg,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    target: TargetOption = "exercise",
    root: RootOption = None,
) -> None:
    """Run the exercise's app under uvicorn with reload; try it at /docs in a browser."""
    from fastlings.learner.serve import serve as run_serve

    run_serve(entry(load(root), exercise), target, host, port)


def grade(
    json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    timeout: TimeoutOption = DEFAULT,
    root: RootOption = None,
) -> None:
    """Your score, from the checks and the manifest's points."""
    from fastlings.learner.grade import grade as run_grade
    from fastlings.ui import leave

    course = load(root)
    leave(run_grade(course, focus(course), as_json=json_, timeout=timeout))


def register(app: typer.Typer) -> None:
    app.callback(invoke_without_command=True)(start)
    app.command("list")(list_)
    app.command()(check)
    app.command()(hint)
    app.command()(edit)
    app.command()(reset)
    app.command()(diff)
    app.command()(serve)
    app.command()(grade)
    app.command("solutions-branch")(solutions_branch)
