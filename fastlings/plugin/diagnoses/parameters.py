"""Diagnoses of where FastAPI reads a parameter from, seen in the routes that served a request."""

from __future__ import annotations

from typing import Any

from fastlings.plugin.diagnoses.base import Diagnosis
from fastlings.plugin.observe import Observations
from fastlings.plugin.routes import app_routes

NO_BODY = {"GET", "HEAD", "DELETE"}


def _type_name(annotation: Any) -> str:
    name = getattr(annotation, "__name__", None)
    text = str(annotation) if getattr(annotation, "__args__", None) else (name or str(annotation))
    return text.replace("typing.", "")


def get_reads_body(obs: Observations) -> list[Diagnosis]:
    """A GET (HEAD, DELETE) request served by a route that reads part of its input from the
    request body: a `list[...]` (or a model) parameter without `Query()` is a body field."""
    if obs.module is None:
        return []
    try:
        from fastapi import FastAPI
        from fastapi.routing import APIRoute
        from starlette.routing import compile_path
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    requests = obs.succeeded | {(a.method, a.path) for a in obs.answers}
    apps = [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]
    for method, path in sorted(r for r in requests if r[0] in NO_BODY):
        for app in apps:
            for full, route in app_routes(app):
                if not isinstance(route, APIRoute) or method not in (route.methods or set()):
                    continue
                if compile_path(full)[0].match(path) is None:
                    continue
                body = list(getattr(route.dependant, "body_params", []))
                if not body:
                    break
                name = str(body[0].name)
                kind = _type_name(getattr(body[0].field_info, "annotation", None))
                return [
                    Diagnosis(
                        "get_reads_body",
                        f"{method} {path} is served by a route that reads `{name}` ({kind}) "
                        f"from the request body, which a {method} request does not send: "
                        "FastAPI takes a parameter typed with a list or a Pydantic model from "
                        "the body unless it is declared otherwise.",
                        f"`{name}: Annotated[{kind}, Query()]` reads it from the query string "
                        f"(`?{name}=a&{name}=b` for a list).",
                        "ch02_request_validation",
                    )
                ]
    return []
