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


def _untyped_in_dependencies(dependant: Any, name: str) -> str | None:
    """The name of a dependency under `dependant` whose parameter `name` has no annotation."""
    import inspect

    pending = list(getattr(dependant, "dependencies", []))
    while pending:
        sub = pending.pop(0)
        try:
            parameter = inspect.signature(sub.call).parameters.get(name)
        except (TypeError, ValueError):
            parameter = None
        if parameter is not None and parameter.annotation is inspect.Parameter.empty:
            return str(getattr(sub.call, "__name__", sub.call))
        pending.extend(getattr(sub, "dependencies", []))
    return None


def untyped_dependency_parameter(obs: Observations) -> list[Diagnosis]:
    """A 422 for a missing query parameter that is an un-annotated parameter of one of the
    route's dependencies (a guard written `async def require_admin(user)`): FastAPI reads a
    dependency's parameters as it reads an endpoint's, so `user` became `?user=`."""
    if obs.module is None:
        return []
    try:
        from fastapi import FastAPI
        from fastapi.routing import APIRoute
        from starlette.routing import compile_path
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    apps = [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]
    for answer in obs.answers:
        for error in answer.detail if answer.status == 422 else []:
            loc = list(error.get("loc", []))
            if len(loc) != 2 or loc[0] != "query" or error.get("type") != "missing":
                continue
            for app in apps:
                for full, route in app_routes(app):
                    if not isinstance(route, APIRoute):
                        continue
                    if answer.method not in (route.methods or set()):
                        continue
                    if compile_path(full)[0].match(answer.path) is None:
                        continue
                    owner = _untyped_in_dependencies(route.dependant, str(loc[1]))
                    if owner is None:
                        break
                    return [
                        Diagnosis(
                            "untyped_dependency_parameter",
                            f"{answer.method} {answer.path} answered 422: the parameter "
                            f"`{loc[1]}` of the dependency `{owner}` has no type annotation, so "
                            f"FastAPI took it for a required query parameter (loc {loc}).",
                            "annotate it: FastAPI reads a dependency's parameters as it reads an "
                            "endpoint's, and passes another dependency's value only to "
                            f"`{loc[1]}: Annotated[T, Depends(f)]` (or an alias of that type).",
                            "ch05_async_sessions",
                        )
                    ]
    return []
