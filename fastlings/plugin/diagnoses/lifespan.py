"""Diagnoses of settings and of what the lifespan owns: state, clients, cached dependencies."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at
from fastlings.plugin.observe import Observations

NO_STATE = re.compile(r"'State' object has no attribute '(\w+)'")


def app_state_has(obs: Observations, name: str) -> bool:
    """Whether the learner's FastAPI app has `app.state.<name>` set (by its lifespan, say)."""
    if obs.module is None:
        return False
    try:
        from fastapi import FastAPI
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return False
    apps = [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]
    return any(hasattr(app.state, name) for app in apps)


def state_on_request(obs: Observations) -> list[Diagnosis]:
    """A State lacked the attribute although the app's own `app.state` has it."""
    for r in obs.raised:
        match = NO_STATE.search(r.message)
        if r.type == "AttributeError" and match and app_state_has(obs, match.group(1)):
            name = match.group(1)
            return [
                Diagnosis(
                    "state_on_request",
                    f"The app raised AttributeError{_at(r)}: a State had no `{name}`, yet the "
                    f"app's own `app.state.{name}` is set. Probably the code read "
                    "`request.state`, which is made fresh for each request.",
                    f"what the lifespan stores on `app.state` is read as "
                    f"`request.app.state.{name}`.",
                    "ch20_settings_lifespan",
                )
            ]
    return []


def closed_client(obs: Observations) -> list[Diagnosis]:
    """An httpx client used after it was closed."""
    for r in obs.raised:
        if r.type == "RuntimeError" and "the client has been closed" in r.message:
            return [
                Diagnosis(
                    "closed_client",
                    f"The app raised RuntimeError{_at(r)}: the httpx client had been closed "
                    "before this request used it. Probably the lifespan's `yield` is outside "
                    "the `async with httpx.AsyncClient(...)` block that opened it.",
                    "`yield` inside the `async with` block: the client stays open while the app "
                    "serves, and closes at shutdown.",
                    "ch20_settings_lifespan",
                )
            ]
    return []


def coroutine_reused(obs: Observations) -> list[Diagnosis]:
    """One coroutine object awaited twice: typically `@lru_cache` on an `async def`."""
    for r in obs.raised:
        if r.type == "RuntimeError" and "cannot reuse already awaited coroutine" in r.message:
            return [
                Diagnosis(
                    "coroutine_reused",
                    f"The app raised RuntimeError{_at(r)}: cannot reuse already awaited "
                    "coroutine: the same coroutine object was awaited a second time. Probably a "
                    "cache (`@lru_cache`) on an `async def` dependency: it caches the coroutine "
                    "of the first call, not its result.",
                    "cache a plain `def` (`@lru_cache` on `def get_settings() -> Settings`).",
                    "ch20_settings_lifespan",
                )
            ]
    return []


def field_on_class(obs: Observations) -> list[Diagnosis]:
    """A Pydantic field read from the model class instead of an instance."""
    if obs.module is None:
        return []
    try:
        from pydantic import BaseModel
    except ImportError:  # pragma: no cover - a dependency of the course
        return []
    models = [
        v for v in vars(obs.module).values() if isinstance(v, type) and issubclass(v, BaseModel)
    ]
    for r in obs.raised:
        if r.type != "AttributeError":
            continue
        owner = next((m for m in models if r.message in m.model_fields), None)
        if owner is not None:
            return [
                Diagnosis(
                    "field_on_class",
                    f"The app raised AttributeError{_at(r)}: `{r.message}`, a field of "
                    f"`{owner.__name__}`, was read from a class, not from an instance (Pydantic "
                    "raises just the field's name then): probably something returned "
                    f"`{owner.__name__}` where `{owner.__name__}()` was meant.",
                    f"return an instance: `return {owner.__name__}()`.",
                    "ch20_settings_lifespan",
                )
            ]
    return []
