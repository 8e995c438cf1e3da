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
