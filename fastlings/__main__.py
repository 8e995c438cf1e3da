"""Entry point of the `fastlings` command (and of `python -m fastlings`).

The two commands a learner runs most, `fastlings check EXERCISE` and `fastlings list`, are
dispatched here without loading typer: their cost should be the checks, not the parser. Any
other form (options, `--help`, other commands) goes to the typer app in `fastlings.cli`.
"""

from __future__ import annotations

import sys


def _fast(argv: list[str]) -> int | None:
    """Run `check NAME [--target T]` or `list`; None when argv is any other form."""
    if argv == ["list"]:
        command = "list"
        name, target = "", "exercise"
    elif len(argv) >= 2 and argv[0] == "check" and not argv[1].startswith("-"):
        command, name, target = "check", argv[1], "exercise"
        rest = argv[2:]
        if rest[:1] == ["--target"] and len(rest) == 2:
            target = rest[1]
        elif len(rest) == 1 and rest[0].startswith("--target="):
            target = rest[0].split("=", 1)[1]
        elif rest:
            return None
        if target not in ("exercise", "solution"):
            return None
    else:
        return None

    from fastlings.course.manifest import ManifestError, load_course
    from fastlings.course.names import UnknownExercise, resolve
    from fastlings.workshop import focus

    try:
        course = load_course(remembered=True)
        if command == "list":
            from fastlings.learner import listing
            from fastlings.learner.check import in_process_runner
            from fastlings.learner.progress import evaluate
            from fastlings.ui import console

            listing.show(console(), evaluate(focus(course), in_process_runner()))
            return 0
        from fastlings.learner.check import check

        entry = resolve(course, name)
        return check(course, [entry], "solution" if target == "solution" else "exercise")
    except (ManifestError, UnknownExercise) as exc:
        sys.stderr.write(f"{exc}\n")
        return 2


def main() -> None:
    try:
        code = _fast(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted: nothing was changed.\n")
        raise SystemExit(130) from None
    if code is not None:
        from fastlings.ui import leave

        leave(code)  # also skips the interpreter's teardown of FastAPI, SQLAlchemy and pytest
    from fastlings.cli import main as typer_main

    typer_main()


if __name__ == "__main__":
    main()
