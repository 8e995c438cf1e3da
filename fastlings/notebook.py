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
from fastlings.course.manifest import Target, find_root, load_course
from fastlings.scratch import scratch_dir

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient

_SCRATCH = scratch_dir("notebook", at_exit=True)


def load(exercise_id: str, target: Target) -> ModuleType:
    """Import the starter ("exercise") or the reference ("solution") of an exercise, each with
    its own fresh SQLite database."""
    course = load_course(find_root())
    entry = course.entry(exercise_id)
    database = _SCRATCH / f"{entry.exercise.id}-{target}.db"
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
