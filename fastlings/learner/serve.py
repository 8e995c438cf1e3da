"""`fastlings serve EXERCISE`: the exercise's app under uvicorn with reload."""

from __future__ import annotations

import os

from fastlings.course.manifest import Entry, Target


def serve(entry: Entry, target: Target, host: str, port: int, *, announce: bool = True) -> None:
    import uvicorn

    root = entry.course.root
    os.chdir(root)
    if announce:
        print(
            f"Serving {entry.module_name(target)}:app with reload.\n"
            f"Try the API in your browser: http://{host}:{port}/docs  (Ctrl-C stops)",
            flush=True,
        )
    uvicorn.run(
        f"{entry.module_name(target)}:app",
        host=host,
        port=port,
        reload=True,
        reload_dirs=[str(entry.source_path(target).parent)],
        app_dir=str(root),
    )
