"""Diagnoses of the connection pool's own settings, read from what it raised."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis
from fastlings.plugin.observe import Observations

POOL_WAIT = re.compile(
    r"QueuePool limit of size \d+ overflow -?\d+ reached, connection timed out, timeout (-?[\d.]+)"
)


def pool_wait_too_short(obs: Observations) -> list[Diagnosis]:
    """A pool timeout whose wait was (next to) nothing: the request never waited its turn."""
    for r in obs.raised:
        match = POOL_WAIT.search(r.message)
        if match and float(match.group(1)) < 0.1:
            return [
                Diagnosis(
                    "pool_wait_too_short",
                    f"The pool waited {match.group(1)} s for a free connection (its "
                    "`pool_timeout`) before it raised TimeoutError: a request that found every "
                    "connection in use failed at once instead of waiting its turn.",
                    "`pool_timeout` is in seconds, and 0 or less means no wait at all: give it a "
                    "few seconds (`pool_timeout=5`), so that a burst queues for the pool.",
                    "ch18_connection_pool",
                )
            ]
    return []
