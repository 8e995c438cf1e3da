"""Console output: rich when it is wanted, readable without colour (NO_COLOR, pipes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from rich.console import Console

PASSED = "✓"
FAILED = "✗"


def console(*, stderr: bool = False) -> Console:
    """A rich console. rich drops colours by itself for NO_COLOR and for pipes."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def rel(path: object, root: object) -> str:
    from pathlib import Path

    p, r = Path(str(path)), Path(str(root))
    try:
        return p.relative_to(r).as_posix()
    except ValueError:
        return str(p)


def leave(code: int) -> NoReturn:
    """Exit at once after checks ran in this process.

    The learner's code may have left a thread running forever (a blocking loop in a sync
    endpoint, stopped by the timeout in the main thread only); a normal exit would wait for it.
    Everything worth keeping is written and closed by now (state files are replaced atomically).
    """
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
