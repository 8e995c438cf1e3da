"""Import an exercise or solution module fresh, and explain a broken one in a few lines."""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType


class LearnerCodeError(Exception):
    """The learner's module could not be imported. `str()` is a short, teaching message."""

    def __init__(self, message: str, path: Path, line: int | None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


def import_fresh(name: str, path: Path) -> ModuleType:
    """Import `path` as module `name`, replacing any earlier copy, so each check starts clean.

    Raises `LearnerCodeError` with file:line and the error when the module does not import.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LearnerCodeError(f"{path}: cannot be imported (missing file?)", path, None)
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    # Registered before running so that Pydantic and SQLAlchemy can resolve annotations.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        if isinstance(exc, KeyboardInterrupt) or _is_pytest_outcome(exc):
            raise  # Ctrl-C, or pytest's own outcome (a timeout stopping a hanging import)
        raise describe_import_error(exc, path) from None
    return module


def _is_pytest_outcome(exc: BaseException) -> bool:
    outcomes = sys.modules.get("_pytest.outcomes")
    base = getattr(outcomes, "OutcomeException", None)
    return isinstance(base, type) and isinstance(exc, base)


def describe_import_error(exc: BaseException, path: Path) -> LearnerCodeError:
    """A few lines: where it broke, what broke, and what to do."""
    display = _display(path)
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == path:
        line = exc.lineno
        text = (exc.text or "").rstrip()
        pointer = ""
        if text and exc.offset:
            pointer = "\n    " + " " * (exc.offset - 1 - (len(text) - len(text.lstrip()))) + "^"
        message = (
            f"{display}:{line}: {type(exc).__name__}: {exc.msg}\n"
            f"    {text.strip()}{pointer}\n"
            "Python cannot read this file. Fix that line (and the one above it), then re-run."
        )
        return LearnerCodeError(message, path, line)
    if isinstance(exc, SystemExit):
        return LearnerCodeError(
            f"{display}: called exit() while being imported (exit code {exc.code!r}).\n"
            "A module should define the app, not exit: remove the exit call.",
            path,
            None,
        )
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if Path(f.filename) == path]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    line = frame.lineno if frame is not None and mine else None
    where = f"{display}:{line}" if line else display
    code = f"\n    {frame.line.strip()}" if frame is not None and mine and frame.line else ""
    message = (
        f"{where}: {type(exc).__name__}: {exc}{code}\n{_fastapi_field(exc)}"
        "The module fails while being imported, so no check can run. "
        "Fix that line, then re-run."
    )
    return LearnerCodeError(message, path, line)


FUNCTION_IN_ANNOTATED = re.compile(r"Annotated\[([\w.]+), <function (\w+) at 0x")


def _fastapi_field(exc: BaseException) -> str:
    """What FastAPI's "Invalid args for response field!" means when the type it names is
    `Annotated[X, <function f>]`: a function in `Annotated` without `Depends` around it."""
    found = FUNCTION_IN_ANNOTATED.search(str(exc))
    if type(exc).__name__ != "FastAPIError" or found is None:
        return ""
    kind, function = found.group(1).rsplit(".", 1)[-1], found.group(2)
    return (
        f"A parameter is typed `Annotated[{kind}, {function}]`: FastAPI treats a function in "
        "`Annotated` as a dependency only inside `Depends()`; without it, FastAPI tried to "
        f"make `{kind}` a field of the request, and failed. Write "
        f"`Annotated[{kind}, Depends({function})]`.\n"
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
