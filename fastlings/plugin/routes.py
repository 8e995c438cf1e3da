"""The routes an app serves, as the diagnoses need them: full paths, routers included."""

from __future__ import annotations

from typing import Any

DOCS_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def app_routes(app: Any) -> list[tuple[str, Any]]:
    """(full path, route) of every route `app` serves, in order, the routers mounted with
    `include_router` included: FastAPI 0.165 keeps each as an `_IncludedRouter` that points at
    the original router (`original_router`, its prefix in `include_context`)."""
    found = []
    pending = [("", route) for route in getattr(app, "routes", [])]
    while pending:
        prefix, route = pending.pop(0)
        original = getattr(route, "original_router", None)
        if original is not None:
            inner = prefix + str(getattr(getattr(route, "include_context", None), "prefix", ""))
            pending[:0] = [(inner, child) for child in getattr(original, "routes", [])]
            continue
        path = getattr(route, "path", None)
        if isinstance(path, str):
            found.append((prefix + path, route))
    return found


def route_list(app: Any) -> list[str]:
    """`METHODS /path` of the app's own routes (FastAPI's docs pages left out)."""
    found = []
    for path, route in app_routes(app):
        if path in DOCS_PATHS:
            continue
        methods = sorted(getattr(route, "methods", None) or [])
        found.append(f"{'/'.join(methods) or 'WS'} {path}")
    return found
