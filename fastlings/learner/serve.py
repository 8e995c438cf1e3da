"""`fastlings serve EXERCISE`: the exercise's app under uvicorn with reload.

Each exercise (and target) gets its own SQLite file, `.fastlings/serve/<exercise>-<target>.db`,
so serving one exercise never breaks another whose tables differ; `DATABASE_URL` in the
environment still wins. `/docs` and `/redoc` work offline (`offline_docs.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastlings.course.manifest import Entry, Target
from fastlings.course.state import state_dir
from fastlings.learner.offline_docs import SERVE_MODULE_ENV


def database_file(entry: Entry, target: Target) -> Path:
    return state_dir(entry.course.root) / "serve" / f"{entry.exercise.id}-{target}.db"


def serve(entry: Entry, target: Target, host: str, port: int, *, announce: bool = True) -> None:
    import uvicorn

    root = entry.course.root
    os.chdir(root)
    database = os.environ.get("DATABASE_URL")
    if database is None:
        path = database_file(entry, target)
        path.parent.mkdir(parents=True, exist_ok=True)
        database = f"sqlite+aiosqlite:///{path.relative_to(root).as_posix()}"
        os.environ["DATABASE_URL"] = database
    os.environ[SERVE_MODULE_ENV] = entry.module_name(target)
    if announce:
        print(
            f"Serving {entry.module_name(target)}:app with reload.\n"
            f"Try the API in your browser: http://{host}:{port}/docs  (Ctrl-C stops)\n"
            f"Database: {database} (this exercise's own; delete the file to start afresh)",
            flush=True,
        )
    uvicorn.run(
        "fastlings.learner.offline_docs:create_app",
        factory=True,
        host=host,
        port=port,
        reload=True,
        reload_dirs=[str(entry.source_path(target).parent)],
        app_dir=str(root),
    )
