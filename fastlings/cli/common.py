"""What every group of commands shares: the app, common options, and finding the course."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from fastlings.course.manifest import ManifestError, Target, find_root
from fastlings.run.spec import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from fastlings.course.manifest import Course, Entry

app = typer.Typer(
    help=(
        "Fastlings: learn modern FastAPI by making failing checks pass.\n\n"
        "With no command: watch mode. It shows the first exercise that does not pass yet and "
        "re-checks it on every save. Keys: h hint, l list, n next, r re-run, q quit.\n\n"
        "Instructors: fastlings class --help. Maintainers: fastlings dev --help."
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
OptionalExerciseArg = Annotated[
    str | None,
    typer.Argument(help="Exercise id, chapter/id or file (default: the current exercise)."),
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds before a hanging check is stopped.")
]
TargetOption = Annotated[
    Target, typer.Option("--target", help="exercise (yours) or solution (the references).")
]
DbServerOption = Annotated[
    str | None,
    typer.Option(
        "--db-server",
        help="Create each check's database on this server (e.g. postgresql+asyncpg://...).",
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]

DEFAULT = DEFAULT_TIMEOUT


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def course_root(root: Path | None) -> Path:
    try:
        return find_root(root)
    except ManifestError as exc:
        fail(str(exc))


def load(root: Path | None) -> Course:
    from fastlings.course.manifest import load_course

    try:
        return load_course(course_root(root))
    except ManifestError as exc:
        fail(str(exc))


def entry(course: Course, name: str) -> Entry:
    from fastlings.course.names import UnknownExercise, resolve

    try:
        return resolve(course, name)
    except UnknownExercise as exc:
        fail(str(exc))


def focus(course: Course) -> list[Entry]:
    from fastlings.workshop import focus as in_focus

    return in_focus(course)


def confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        typer.echo(f"{question} [y/N]: no terminal to ask; pass --yes to confirm.", err=True)
        return False
    return typer.confirm(question, default=False)
