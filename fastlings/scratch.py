"""Scratch folders that never pile up: each is named after the process that made it, and a
folder whose process is gone (killed before it could clean up) is removed by the next one.

`scratch_dir("db", base)` -> `base/fastlings-db-<pid>-XXXXXXXX`.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NAME = re.compile(r"^fastlings-(?P<kind>[a-z]+)-(?P<pid>\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(base: Path) -> None:
    """Remove the scratch folders in `base` whose process no longer runs."""
    try:
        children = list(base.iterdir())
    except OSError:
        return
    for child in children:
        match = NAME.match(child.name)
        if match and child.is_dir() and not _alive(int(match["pid"])):
            shutil.rmtree(child, ignore_errors=True)


def scratch_dir(kind: str, base: Path | None = None, *, at_exit: bool = False) -> Path:
    """A new private folder; `at_exit` also removes it when this process exits normally."""
    where = base if base is not None else Path(tempfile.gettempdir())
    sweep(where)
    path = Path(tempfile.mkdtemp(prefix=f"fastlings-{kind}-{os.getpid()}-", dir=where))
    if at_exit:
        atexit.register(shutil.rmtree, path, True)
    return path


@contextmanager
def temporary(kind: str, base: Path | None = None) -> Iterator[Path]:
    """`with temporary("run") as folder:` a scratch folder removed when the block ends."""
    folder = scratch_dir(kind, base)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
