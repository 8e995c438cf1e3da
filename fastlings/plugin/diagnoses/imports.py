"""Diagnoses of names a module uses: one it never defined or imported, and an exception class
imported from the database driver where SQLAlchemy raises its own."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at
from fastlings.plugin.observe import Observations

UNDEFINED = re.compile(r"name '(\w+)' is not defined")

WRAPPED = re.compile(r"^\(([\w.]+)\.(\w+)\) ")
"""How SQLAlchemy's `DBAPIError` begins its message: `(sqlite3.IntegrityError) ...`."""


def undefined_name(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = UNDEFINED.search(r.message)
        if r.type != "NameError" or match is None or r.where is None:
            continue
        name = match.group(1)
        if obs.module is None or hasattr(obs.module, name):
            continue
        return [
            Diagnosis(
                "undefined_name",
                f"The app raised NameError{_at(r)}: {r.message}. The module has no global "
                f"`{name}` (nothing in it imports or assigns one); Python looks a name up only "
                "when the line that uses it runs, so the module imported without complaint and "
                "the error waited for this request, which FastAPI answered 500.",
                f"import `{name}` at the top of the module from where it is defined (or define "
                "it) before the code that uses it.",
            )
        ]
    return []


def driver_exception(obs: Observations) -> list[Diagnosis]:
    """An `except` for the driver's class: the module's name is bound to a class of the
    driver's module, and what reached FastAPI is SQLAlchemy's wrapper of that same class."""
    if obs.module is None:
        return []
    for r in obs.raised:
        match = WRAPPED.match(r.message)
        if match is None or match.group(2) != r.type:
            continue
        bound = getattr(obs.module, r.type, None)
        where = getattr(bound, "__module__", "")
        if not isinstance(bound, type) or where != match.group(1):
            continue
        return [
            Diagnosis(
                "driver_exception",
                f"The app raised {r.type}{_at(r)}: {r.message[:160]}. That is "
                f"sqlalchemy.exc.{r.type}, and the module's `{r.type}` is {where}.{r.type}, the "
                "driver's class: SQLAlchemy "
                f"catches that one and raises its own sqlalchemy.exc.{r.type} (the driver's "
                "error inside it as `.orig`), so an `except` for the driver's class never "
                "matches, and FastAPI answered 500.",
                f"`from sqlalchemy.exc import {r.type}`, and catch that.",
                "ch07_transactions",
            )
        ]
    return []
