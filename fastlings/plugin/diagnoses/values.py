"""Diagnoses of values the learner's code misused: the call that made an unawaited coroutine,
None returned for a row that was not found, an object validated without `from_attributes`, a
Result where a value belongs, a query read with `one()` that found nothing, and validators
Pydantic cannot use (one raising TypeError, one hidden under `@classmethod`)."""

from __future__ import annotations

import re
from pathlib import Path

from fastlings.plugin.diagnoses.base import Diagnosis, _at
from fastlings.plugin.observe import Observations, _rel

INSTANCE_OF = re.compile(r"valid dictionary or instance of (\w+)")


def _unawaited_calls(obs: Observations, name: str) -> list[str]:
    """`file:line: `line`` of each line inside a function of the learner's file (indented,
    not a decorator or a comment) that calls `name(` with no `await` on that line."""
    path = obs.learner_file
    if path is None or not name.isidentifier():
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    call = re.compile(rf"[\w.]*\b{re.escape(name)}\(")
    shown = _rel(Path(path))
    return [
        f"{shown}:{number}: `{line.strip()}`"
        for number, line in enumerate(lines, start=1)
        if call.search(line)
        and "await" not in line
        and line[:1].isspace()
        and not line.lstrip().startswith(("#", "@"))
    ]


def _call_in(text: str, name: str) -> str:
    """The call of `name` written in `text`, up to its closing parenthesis ("" if none)."""
    found = re.search(rf"[\w.]*\b{re.escape(name)}\(", text)
    if found is None:
        return ""
    depth = 0
    for end in range(found.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return text[found.start() : end + 1]
    return ""


def coroutine_origin(obs: Observations) -> list[Diagnosis]:
    """Which call made the coroutine object Pydantic was given (`awaiting.coroutine_in_model`
    says that one was given), and the learner's line that calls it without `await`."""
    for r in obs.raised:
        for error in r.errors:
            qualname = str(error.get("input_name") or "")
            if error["input_type"] != "coroutine" or not qualname:
                continue
            name = qualname.rsplit(".", 1)[-1]
            calls = _unawaited_calls(obs, name)
            where = f", probably at {calls[0]}" if len(calls) == 1 else ""
            call = (_call_in(calls[0], name) if where else "") or f"...{name}(...)"
            return [
                Diagnosis(
                    "coroutine_origin",
                    f"The coroutine object came from `{qualname}`{where}: that call was "
                    "never awaited.",
                    f"`await` it where its result is used: `await {call}`.",
                    "ch05_async_sessions",
                )
            ]
    return []


def result_as_value(obs: Observations) -> list[Diagnosis]:
    """A SQLAlchemy Result object given to Pydantic where a value (a number, a row) belongs."""
    for r in obs.raised:
        for error in r.errors:
            given = error["input_type"]
            if r.type in ("ResponseValidationError", "ValidationError") and given.endswith(
                "Result"
            ):
                field = ".".join(str(p) for p in error["loc"]) or "the model"
                return [
                    Diagnosis(
                        "result_as_value",
                        f"The app raised {r.type}{_at(r)}: `{field}` was given a {given}, the "
                        "object `execute()` returns, not the value the query selected.",
                        "take the value out of the result: `await session.scalar(...)` for one "
                        "value, `(await session.scalars(...)).all()` for rows, or "
                        "`result.scalar_one()`.",
                    )
                ]
    return []


def returned_none(obs: Observations) -> list[Diagnosis]:
    """The route returned None where its response model wants an object."""
    for r in obs.raised:
        whole = [e for e in r.errors if [p for p in e["loc"] if p != "response"] == []]
        if r.type == "ResponseValidationError" and any(
            e["input_type"] == "NoneType" for e in whole
        ):
            return [
                Diagnosis(
                    "returned_none",
                    "The route returned None, and its response model wants an object, so "
                    "FastAPI answered 500. Probably a lookup found no row (`session.get(...)` "
                    "and `scalar(...)` give None) and the route returned it as it was.",
                    "check the lookup's result: `if row is None: raise HTTPException(404, "
                    'detail="... not found")`.',
                    "ch06_http_errors",
                )
            ]
    return []


def from_attributes_missing(obs: Observations) -> list[Diagnosis]:
    """`Model.model_validate(obj)` on an object (an ORM row) without `from_attributes`."""
    for r in obs.raised:
        if r.type != "ValidationError":
            continue
        for error in r.errors:
            match = INSTANCE_OF.search(error["msg"])
            if error["type"] == "model_type" and match and error["input_type"] != "dict":
                model, given = match.group(1), error["input_type"]
                return [
                    Diagnosis(
                        "from_attributes_missing",
                        f"The app raised ValidationError{_at(r)}: {model} was validated from a "
                        f"{given} object, and Pydantic reads an object's attributes only with "
                        "`from_attributes`; without it a model accepts a dict or its own "
                        "instances.",
                        f"`{model}.model_validate(obj, from_attributes=True)` (or `model_config "
                        "= ConfigDict(from_attributes=True)`), or return the row and let "
                        "`response_model` read it.",
                        "ch03_response_models",
                    )
                ]
    return []


def no_row_found(obs: Observations) -> list[Diagnosis]:
    """`scalar_one()` / `one()` on a query that found no row."""
    return [
        Diagnosis(
            "no_row_found",
            f"The app raised NoResultFound{_at(r)}: the query found no row, and `one()` / "
            "`scalar_one()` raise when there is not exactly one.",
            "`scalar_one_or_none()` (or `scalar()`) when finding nothing is a normal answer: "
            "it gives None, which the code can test.",
            "ch06_http_errors",
        )
        for r in obs.raised
        if r.type == "NoResultFound"
    ][:1]


IN_FUNCTION = re.compile(r"\(in (\w+)\)$")


def _models(obs: Observations) -> list[type]:
    """The Pydantic models defined in the learner's module."""
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover - a dependency of the course
        return []
    values = vars(obs.module).values() if obs.module is not None else []
    return [v for v in values if isinstance(v, type) and issubclass(v, BaseModel)]


def validator_type_error(obs: Observations) -> list[Diagnosis]:
    """A validator of the learner's that raised something Pydantic does not turn into a 422."""
    for r in obs.raised:
        found = IN_FUNCTION.search(r.where or "")
        if r.type in ("ValueError", "AssertionError") or found is None:
            continue
        for model in _models(obs):
            decorators = getattr(model, "__pydantic_decorators__", None)
            kinds = ("field_validators", "model_validators")
            names = {d.func.__name__ for k in kinds for d in getattr(decorators, k, {}).values()}
            if found.group(1) in names:
                return [
                    Diagnosis(
                        "validator_type_error",
                        f"The app raised {r.type}{_at(r)}, in a validator of {model.__name__}: "
                        "Pydantic turns only a ValueError (or an AssertionError) raised in a "
                        f"validator into a validation error (a 422); a {r.type} escapes as a 500.",
                        "raise ValueError(...) in the validator.",
                        "ch02_request_validation",
                    )
                ]
    return []


def validator_hidden(obs: Observations) -> list[Diagnosis]:
    """A validator that Pydantic never registered: `@classmethod` put above `@field_validator`
    (or `@model_validator`) hides the decorator from the model."""
    for model in _models(obs):
        for name, value in vars(model).items():
            inner = getattr(value, "__func__", None)
            if isinstance(value, classmethod | staticmethod) and hasattr(inner, "decorator_info"):
                return [
                    Diagnosis(
                        "validator_hidden",
                        f"Pydantic never runs the validator `{model.__name__}.{name}`: "
                        f"`@{type(value).__name__}` is above the validator's decorator, which "
                        "hides it from the model (its decorators list none by that name).",
                        "put `@field_validator(...)` (or `@model_validator`) on top, "
                        "`@classmethod` under it.",
                        "ch16_partial_updates",
                    )
                ]
    return []


def unawaited_site(obs: Observations, where: str, line: str | None, name: str) -> tuple[str, str]:
    """Where a never-awaited coroutine was made, for the `unawaited` diagnosis: Python warns
    where the coroutine was discarded, which is the learner's line only when it was dropped
    at once. Otherwise the one line of the learner's file that calls `name` without `await`,
    if there is one; else no place."""
    learner = _rel(Path(obs.learner_file)) if obs.learner_file is not None else None
    if learner is None or where.startswith(f"{learner}:"):
        return f"{where}: ", line or ""
    calls = _unawaited_calls(obs, name)
    if len(calls) != 1:
        return "", ""
    place, _, written = calls[0].partition(": ")
    return f"Probably {place}: ", written.strip("`")
