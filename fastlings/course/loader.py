"""Import an exercise or solution module fresh, and explain a broken one in a few lines."""

from __future__ import annotations

import importlib.util
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
    said = _unreadable_parameter(exc) or f"{type(exc).__name__}: {exc}"
    message = (
        f"{where}: {said}{code}\n"
        "The module fails while being imported, so no check can run. "
        "Fix that line, then re-run."
    )
    return LearnerCodeError(message, path, line)


INJECTED_NEAR = {"starlette.background.BackgroundTask": "BackgroundTasks"}
"""Types that look like one FastAPI injects by its type, and the one it does inject."""


def _unreadable_parameter(exc: BaseException) -> str | None:
    """FastAPI's "Invalid args for response field!" raised while it read an endpoint's (or a
    dependency's) parameters: which parameter, of which function, with which type."""
    if type(exc).__name__ != "FastAPIError" or "Invalid args for response field" not in str(exc):
        return None
    param = function = annotation = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        if tb.tb_frame.f_code.co_name == "get_dependant":
            function = getattr(local.get("call"), "__name__", None)
        if tb.tb_frame.f_code.co_name == "analyze_param":
            param, annotation = local.get("param_name"), local.get("annotation")
        tb = tb.tb_next
    if param is None:
        return None  # the response model itself: FastAPI's message is right
    kind = getattr(annotation, "__name__", None) or str(annotation)
    of = f" of `{function}`" if function else ""
    bare = _function_in_annotated(annotation)
    if bare is not None:
        base, dependency = bare
        return (
            f"FastAPIError: the parameter `{param}`{of} is typed `Annotated[{base}, "
            f"{dependency}]`: FastAPI takes a function in `Annotated` for a dependency only "
            f"inside `Depends()`, so it tried to read the `{base}` from the request, and could "
            f"not. Write `{param}: Annotated[{base}, Depends({dependency})]`."
        )
    near = INJECTED_NEAR.get(f"{getattr(annotation, '__module__', '')}.{kind}")
    if near:
        return (
            f"FastAPIError: the parameter `{param}`{of} is typed `{kind}`, which FastAPI does "
            f'not inject (its message speaks of a "response field"). It injects `{near}` by '
            f"its type: `{param}: {near}` (`from fastapi import {near}`)."
        )
    return (
        f"FastAPIError: the parameter `{param}`{of} is typed `{kind}`, which FastAPI can "
        "neither read from a request nor provide: it is not declared as a dependency. (FastAPI "
        'calls it a "response field".) An object the app provides is a dependency: '
        f"`{param}: Annotated[{kind}, Depends(...)]` (`Depends()` alone builds the class from "
        "the request, as for OAuth2PasswordRequestForm)."
    )


def _function_in_annotated(annotation: object) -> tuple[str, str] | None:
    """`(type, function)` when `annotation` is `Annotated[type, function]`, a bare function."""
    import inspect
    import typing

    if typing.get_origin(annotation) is not typing.Annotated:
        return None
    base, *extras = typing.get_args(annotation)
    bare = next((e for e in extras if inspect.isfunction(e)), None)
    if bare is None:
        return None
    return getattr(base, "__name__", None) or str(base), bare.__name__


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
