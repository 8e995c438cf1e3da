"""Helpers for the chapter notebooks: load a starter and a solution side by side, and talk to
them over HTTP without a server. Learners' code never imports this module."""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

from fastlings.course.loader import import_fresh
from fastlings.course.manifest import Entry, Target, find_root, load_course
from fastlings.scratch import scratch_dir

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient

_SCRATCH = scratch_dir("notebook", at_exit=True)


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
    database = _SCRATCH / f"{entry.exercise.id}-{target}.db"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return import_fresh(entry.module_name(target), entry.source_path(target))


def load_starter(exercise_id: str) -> ModuleType:
    """Import the PRISTINE starter of an exercise (as published, see
    `fastlings.course.starters`), not the learner's edited copy, with its own fresh SQLite
    database. Falls back to the file in `exercises/` when no pristine copy is known."""
    course = load_course(find_root())
    entry = course.entry(exercise_id)
    found = _pristine(entry)
    if found is None:
        return _load_file(exercise_id, "exercise")
    copy = _SCRATCH / "starters" / entry.chapter.id / f"{entry.exercise.id}.py"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(found)
    database = _SCRATCH / f"{entry.exercise.id}-starter.db"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    return import_fresh(entry.module_name("exercise") + "_pristine", copy)


def _pristine(entry: Entry) -> bytes | None:
    """The starter as published: the upstream branch's copy when there is one (a learner's
    clone), else the last committed copy (the course's own repository), else the copy kept
    in `.fastlings/starters/` outside git."""
    from fastlings.course.starters import _git, git_toplevel, starters

    root = entry.course.root
    top = git_toplevel(root)
    if top is not None and _git(root, "rev-parse", "--abbrev-ref", "@{upstream}") is None:
        relative = entry.exercise_path.resolve().relative_to(top.resolve()).as_posix()
        committed = _git(root, "show", f"HEAD:{relative}")
        if committed is not None:
            return committed
    found = starters([entry]).get(entry.qualified_id)
    return found.content if found is not None else None


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
