"""Diagnoses of a request the app has a path for, but not for that method (a 405)."""

from __future__ import annotations

from fastlings.plugin.diagnoses.base import Diagnosis
from fastlings.plugin.observe import Observations


def method_not_allowed(obs: Observations) -> list[Diagnosis]:
    """A 405: routes exist at the path, none for the method (CORS preflights excluded)."""
    for answer in obs.answers:
        if answer.status == 405 and answer.method != "OPTIONS" and answer.routes:
            routes = ", ".join(answer.routes[:12])
            return [
                Diagnosis(
                    "method_not_allowed",
                    f"{answer.method} {answer.path} answered 405 Method Not Allowed: a route "
                    f"matches the path, but none for {answer.method}. The app's routes: {routes}.",
                    f"a route for {answer.method} at exactly that path "
                    f"(`@app.{answer.method.lower()}(...)`).",
                )
            ]
    return []
