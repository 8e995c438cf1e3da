"""Diagnoses of values the learner's code misused: a coroutine returned without `await`, None
returned for a row that was not found, an object validated without `from_attributes`, and a
query result read with `one()` when the query found nothing."""

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


def returned_coroutine(obs: Observations) -> list[Diagnosis]:
    """The route returned a coroutine object: FastAPI cannot fit it into any response model."""
    for r in obs.raised:
        for error in r.errors:
            if r.type != "ResponseValidationError" or error["input_type"] != "coroutine":
                continue
            qualname = str(error.get("input_name") or "")
            name = qualname.rsplit(".", 1)[-1]
            calls = _unawaited_calls(obs, name) if name else []
            where = f" Probably {calls[0]}." if len(calls) == 1 else ""
            made = f" of `{qualname}`" if qualname else ""
            written = re.search(rf"[\w.]*\b{re.escape(name)}\([^()]*\)", where) if name else None
            call = written.group(0) if written else f"...{name or 'f'}(...)"
            return [
                Diagnosis(
                    "returned_coroutine",
                    f"The route returned a coroutine object{made} instead of its result, so "
                    "FastAPI could not fit it into the response model and answered 500: an "
                    f"async function was called without `await`.{where}",
                    f"`await` the call whose result the route returns: `await {call}`.",
                    "ch05_async_sessions",
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


def sharper(obs: Observations) -> bool:
    """Whether one of these diagnoses already names what the app raised (no generic one)."""
    return bool(from_attributes_missing(obs) or no_row_found(obs))
