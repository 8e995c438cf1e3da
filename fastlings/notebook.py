"""Helpers for the chapter notebooks: load a starter and a solution side by side, and talk to
them over HTTP without a server. Learners' code never imports this module."""

from __future__ import annotations

import functools
import inspect
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastlings.course.loader import import_fresh
from fastlings.course.manifest import Target, find_root, load_course
from fastlings.course.state import state_dir
from fastlings.scratch import scratch_dir

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient


@functools.cache
def _scratch() -> Path:
    """This kernel's folder for databases and copies, inside the course's `.fastlings/`.

    Not in /tmp: Jupyter stops a kernel without running its exit handlers, so a folder in
    /tmp would stay behind after every notebook. One named after a kernel that has gone is
    removed by the next kernel that starts."""
    base = state_dir(find_root()) / "notebooks"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return scratch_dir("notebook", at_exit=True)
    return scratch_dir("notebook", base, at_exit=True)


def scratch_folder(prefix: str) -> Path:
    """A new empty folder for a notebook's own files (a worked example's database, a migrations
    folder), removed with the others when the kernel exits: nothing is left in /tmp."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=_scratch()))


def load(exercise_id: str, target: Target) -> ModuleType:
    """Import the starter ("exercise") or the reference ("solution") of an exercise, each with
    its own fresh SQLite database. The starter is always the pristine one, as the course
    published it (`load_starter`): never the learner's edited copy."""
    if target == "exercise":
        return load_starter(exercise_id)
    return _load_file(exercise_id, target)


def _load_file(exercise_id: str, target: Target) -> ModuleType:
    course = load_course(find_root())
    entry = course.entry(exercise_id)
    database = _scratch() / f"{entry.exercise.id}-{target}.db"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return import_fresh(entry.module_name(target), entry.source_path(target))


@asynccontextmanager
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An httpx client wired straight to the app, lifespan included; errors become 500s."""
    from httpx import ASGITransport, AsyncClient

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


def show(obj: Any) -> None:
    """Print the source of a function or class, as the file has it."""
    print(inspect.getsource(obj).rstrip())


def starter_source(exercise_id: str) -> tuple[str, str]:
    """The pristine starter's text, never the learner's edited file, and where it came from.

    In order: the branch's upstream (a learner's clone: their commits do not change it); else
    the committed version at HEAD (a maintainer's checkout, or a learner who has not committed);
    else the file on disk (no git at all)."""
    from fastlings.course.starters import _git, git_toplevel, starters

    course = load_course(find_root())
    entry = course.entry(exercise_id)
    root = course.root
    top = git_toplevel(root)
    if top is not None:
        upstream = _git(root, "rev-parse", "--verify", "-q", "--abbrev-ref", "@{upstream}")
        if upstream:
            found = starters([entry]).get(entry.qualified_id)
            if found is not None:
                return found.content.decode("utf-8"), found.source
        relative = entry.exercise_path.resolve().relative_to(top.resolve()).as_posix()
        committed = _git(root, "show", f"HEAD:{relative}")
        if committed is not None:
            return committed.decode("utf-8"), f"git HEAD:{relative}"
    found = starters([entry]).get(entry.qualified_id)  # the copy kept outside git
    if found is not None:
        return found.content.decode("utf-8"), found.source
    path = entry.exercise_path
    return path.read_text(encoding="utf-8"), str(path.relative_to(root))


def load_starter(exercise_id: str) -> ModuleType:
    """Import the pristine starter of an exercise (see `starter_source`) with its own fresh
    SQLite database: what the course ships, whatever the learner has done to their file."""
    course = load_course(find_root())
    entry = course.entry(exercise_id)
    text, _source = starter_source(exercise_id)
    folder = _scratch() / f"{entry.exercise.id}-starter"
    folder.mkdir(exist_ok=True)
    path = folder / entry.exercise_path.name
    path.write_text(text, encoding="utf-8")
    database = _scratch() / f"{entry.exercise.id}-starter.db"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return import_fresh(entry.module_name("exercise"), path)


class SideBySide:
    """Two texts in two columns (HTML, rendered on GitHub), or one after the other (plain)."""

    def __init__(self, left: str, right: str, titles: tuple[str, str]) -> None:
        self.left, self.right, self.titles = left, right, titles

    def __repr__(self) -> str:
        return f"# {self.titles[0]}\n{self.left}\n\n# {self.titles[1]}\n{self.right}"

    def _repr_html_(self) -> str:
        from html import escape

        cells = "".join(
            f'<td style="vertical-align:top;text-align:left"><pre>{escape(text)}</pre></td>'
            for text in (self.left, self.right)
        )
        heads = "".join(f"<th>{escape(title)}</th>" for title in self.titles)
        return f"<table><tr>{heads}</tr><tr>{cells}</tr></table>"


def side_by_side(
    bad: Any, good: Any, titles: tuple[str, str] = ("starter", "solution")
) -> SideBySide:
    """The source of two functions or classes (or two texts), starter left, solution right."""

    def text(obj: Any) -> str:
        return obj if isinstance(obj, str) else inspect.getsource(obj).rstrip()

    return SideBySide(text(bad), text(good), titles)
