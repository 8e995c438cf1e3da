"""The `fastlings` command: declarations only. Each command's logic lives in its own module.

- learner commands at the top (`fastlings/cli/learner.py`): watch (no command), list, check,
  hint, reset, diff, serve, grade, solutions-branch;
- `fastlings class ...` for instructors (`fastlings/cli/instructor.py`);
- `fastlings dev ...` for maintainers (`fastlings/cli/maintainer.py`).

`fastlings check EXERCISE` and `fastlings list` take a short path that skips typer (see
`fastlings/__main__.py`): their cost should be the checks, not the command-line parser.
"""

from __future__ import annotations

import sys

from fastlings.cli.common import app
from fastlings.cli.instructor import class_app
from fastlings.cli.learner import register
from fastlings.cli.maintainer import dev_app

register(app)
app.add_typer(class_app, name="class")
app.add_typer(dev_app, name="dev")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted: nothing was changed.\n")
        raise SystemExit(130) from None
