"""`fastlings dev ...`: the maintainers' commands. Declarations only.

- `dev verify`: the integrity gate (`fastlings/dev/verify/`);
- `dev new CHAPTER EXERCISE`: scaffold an exercise (`fastlings/dev/scaffold.py`);
- `dev update`: regenerate every derived file (`fastlings/dev/update.py`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from fastlings.cli.common import DbServerOption, RootOption, course_root, fail, load

dev_app = typer.Typer(
    help="Maintainers: the verify gate, scaffolding, derived files.", no_args_is_help=True
)


@dev_app.command()
def verify(
    root: RootOption = None,
    lint: Annotated[bool, typer.Option(help="Run ruff and mypy.")] = True,
    notebooks: Annotated[bool, typer.Option(help="Validate the notebooks with nbval.")] = True,
    db_server: DbServerOption = None,
    chapter: Annotated[
        list[str] | None,
        typer.Option(help="Check only this chapter's exercises and notebook (repeatable)."),
    ] = None,
) -> None:
    """The gate: manifest and files agree, starters fail, solutions pass, all is fresh."""
    from fastlings.dev.verify import verify as run_verify

    report = run_verify(
        course_root(root),
        lint=lint,
        notebooks=notebooks,
        db_server=db_server,
        chapters=tuple(chapter or ()),
    )
    raise typer.Exit(1 if report.breaches else 0)


@dev_app.command()
def new(
    chapter: Annotated[str, typer.Argument(help="A chapter id, new or existing: ch14_x.")],
    exercise: Annotated[str, typer.Argument(help="The new exercise's id: ex01_first_step.")],
    root: RootOption = None,
) -> None:
    """Scaffold an exercise: manifest entry, starter, solution, checks, lesson heading."""
    from fastlings.dev.scaffold import ScaffoldError, new_exercise

    course = load(root)
    try:
        done = new_exercise(course, chapter, exercise)
    except ScaffoldError as exc:
        fail(str(exc))
    for path in done.written:
        typer.echo(f"wrote {path.relative_to(course.root).as_posix()}")
    typer.echo("`fastlings dev verify` now lists what is left to write.")


@dev_app.command()
def update(root: RootOption = None) -> None:
    """Regenerate the lesson snippets, the README chapter map and the classroom workflow."""
    from fastlings.dev.update import update as run_update

    course = load(root)
    written, problems = run_update(course)
    for path in written:
        typer.echo(f"updated {path.relative_to(course.root).as_posix()}")
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    typer.echo(f"{len(written)} derived file(s) updated")
    raise typer.Exit(1 if problems else 0)
