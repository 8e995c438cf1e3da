"""Diagnoses of work the app runs by hand (background jobs): what FastAPI does not do there."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at
from fastlings.plugin.observe import Observations

DEPENDS_VALUE = re.compile(r"'Depends' object (is not callable|has no attribute '\w+')")


def depends_as_value(obs: Observations) -> list[Diagnosis]:
    """A `Depends(...)` default used as if it were the dependency's value."""
    for r in obs.raised:
        if DEPENDS_VALUE.search(r.message):
            return [
                Diagnosis(
                    "depends_as_value",
                    f"The app raised {r.type}{_at(r)}: {r.message}: a parameter's default "
                    "`Depends(...)` reached the code as it is. FastAPI resolves `Depends` only "
                    "for the endpoints and dependencies it calls; a function you call, or hand "
                    "to `add_task`, gets the `Depends` object itself.",
                    "resolve the dependency in the endpoint and pass its value on: "
                    "`background_tasks.add_task(job, value, ...)`.",
                    "ch21_background_work",
                )
            ]
    return []
