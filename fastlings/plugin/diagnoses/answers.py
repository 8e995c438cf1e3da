"""Diagnoses of what the app answered: 404s, 422s and other statuses, and their bodies."""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Any, get_args, get_origin

from fastlings.plugin.diagnoses.base import (
    DB_TEXT,
    Diagnosis,
)
from fastlings.plugin.diagnoses.endpoints import matching_route
from fastlings.plugin.observe import Observations
from fastlings.plugin.routes import app_routes


def router_not_included(obs: Observations) -> list[Diagnosis]:
    if obs.module is None:
        return []
    try:
        from fastapi import APIRouter, FastAPI
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return []
    apps = [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]
    routes = [pair for a in apps for pair in app_routes(a)]
    served = {path for path, _ in routes}
    found = []
    for answer in obs.answers:
        if answer.status != 404 or '"Not Found"' not in answer.body:
            continue  # an app's own 404 (an HTTPException with its detail): a route matched
        for name, router in vars(obs.module).items():
            if not isinstance(router, APIRouter) or any(router is a.router for a in apps):
                continue
            if any(mine is route for mine in router.routes for _, route in routes):
                continue  # mounted (FastAPI 0.165 serves the router's own route objects)
            paths = {getattr(r, "path", None) for r in router.routes}
            wanted = {answer.path, answer.path.rstrip("/"), answer.path + "/"}
            if paths & wanted and not paths & served:
                found.append(
                    Diagnosis(
                        "router_not_included",
                        f"{answer.method} {answer.path} answered 404: the router `{name}` has "
                        "that path, but the app never includes it.",
                        f"`app.include_router({name})`.",
                        "ch01_endpoint_structure",
                    )
                )
                break
    return found


def not_found(obs: Observations) -> list[Diagnosis]:
    found = []
    for answer in obs.answers:
        if answer.status == 404 and answer.routes and '"Not Found"' in answer.body:
            if matching_route(answer) is not None:
                continue  # a route matched: the endpoint itself answered 404
            routes = ", ".join(answer.routes[:12]) or "none"
            found.append(
                Diagnosis(
                    "no_route",
                    f"{answer.method} {answer.path} answered 404 Not Found: no route matches. "
                    f"The app's routes: {routes}.",
                    "a route at exactly that method and path (check the router's prefix).",
                )
            )
    return found[:1]


_UNSEEN = object()


def _annotation(obs: Observations, method: str, path: str, name: object) -> Any:
    """The annotation of parameter `name` of the endpoint serving `method path` in the learner's
    module (`inspect.Parameter.empty` when it has none; `_UNSEEN` when it cannot be found)."""
    if obs.module is None or not isinstance(name, str):
        return _UNSEEN
    try:
        from fastapi import FastAPI
        from fastapi.routing import APIRoute
    except ImportError:  # pragma: no cover - FastAPI is a dependency of the course
        return _UNSEEN
    from starlette.routing import compile_path

    for app in [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]:
        for full, route in app_routes(app):
            if not isinstance(route, APIRoute) or method not in (route.methods or set()):
                continue
            if compile_path(full)[0].match(path) is None:
                continue
            try:
                parameter = inspect.signature(route.endpoint).parameters.get(name)
            except (TypeError, ValueError):
                return _UNSEEN
            return _UNSEEN if parameter is None else parameter.annotation
    return _UNSEEN


def untyped_parameter(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        for error in answer.detail:
            loc = list(error.get("loc", []))
            if answer.status != 422 or loc[:1] != ["query"] or error.get("type") != "missing":
                continue
            if _annotation(obs, answer.method, answer.path, loc[-1]) is inspect.Parameter.empty:
                return [
                    Diagnosis(
                        "untyped_parameter",
                        f"{answer.method} {answer.path} answered 422: the endpoint's parameter "
                        f"`{loc[-1]}` has no type annotation, so FastAPI took it for a required "
                        f"query parameter (loc {loc}).",
                        "annotate it: FastAPI injects `BackgroundTasks`, `Request` and the like "
                        "by their type, a dependency's value through `Annotated[T, Depends(f)]`"
                        + (f" (`{loc[-1]}: BackgroundTasks`)." if "task" in loc[-1] else "."),
                        "ch21_background_work",
                    )
                ]
    return []


def _unwrapped(annotation: Any) -> Any:
    """`X` for `Annotated[X, ...]`: what FastAPI reads when the metadata holds no `Depends`."""
    if get_origin(annotation) is Annotated:
        return get_args(annotation)[0]
    return annotation


def settings_from_body(obs: Observations) -> list[Diagnosis]:
    if not any(answer.status == 422 for answer in obs.answers):
        return []
    from pydantic import BaseModel

    # A parameter can only be typed with a BaseSettings subclass if the app imported
    # pydantic-settings: no need to import it (about 40 ms) to rule that out.
    settings_module = sys.modules.get("pydantic_settings")
    settings_base = getattr(settings_module, "BaseSettings", None)
    for answer in obs.answers:
        for error in answer.detail:
            loc = list(error.get("loc", []))
            if answer.status != 422 or loc[:1] != ["body"] or len(loc) != 2:
                continue
            raw = _annotation(obs, answer.method, answer.path, loc[-1])
            annotation = _unwrapped(raw)
            if (
                "form" in answer.content_type
                and isinstance(annotation, type)
                and issubclass(annotation, BaseModel)
            ):
                return [
                    Diagnosis(
                        "model_not_form",
                        f"{answer.method} {answer.path} sent a {answer.content_type} form, and "
                        f"answered 422: the endpoint's parameter `{loc[-1]}` is typed "
                        f"`{annotation.__name__}`, a Pydantic model, which FastAPI reads from a "
                        f"JSON body, not from form fields (loc {loc}).",
                        f"`{loc[-1]}: Annotated[{annotation.__name__}, Form()]` reads the "
                        "model's fields from the form.",
                        "ch22_uploads",
                    )
                ]
            if (
                settings_base is not None
                and isinstance(annotation, type)
                and issubclass(annotation, settings_base)
            ):
                return [
                    Diagnosis(
                        "settings_from_body",
                        f"{answer.method} {answer.path} answered 422: the endpoint's parameter "
                        f"`{loc[-1]}` is typed `{annotation.__name__}`, a Pydantic model"
                        + (
                            " (its `Annotated[...]` holds no `Depends(...)`)"
                            if raw is not annotation
                            else ""
                        )
                        + f", so FastAPI read it from the request body (loc {loc}).",
                        "ask for it as a dependency: `Annotated[Settings, Depends(get_settings)]`.",
                        "ch20_settings_lifespan",
                    )
                ]
    return []


def query_not_body(obs: Observations) -> list[Diagnosis]:
    found = []
    for answer in obs.answers:
        query = [e for e in answer.detail if list(e.get("loc", []))[:1] == ["query"]]
        if answer.status == 422 and (answer.sent_json or answer.content_type) and query:
            names = ", ".join(f"`{e['loc'][-1]}`" for e in query)
            found.append(
                Diagnosis(
                    "query_not_body",
                    f"{answer.method} {answer.path} sent a "
                    f"{'JSON body' if answer.sent_json else answer.content_type + ' body'}, "
                    "yet FastAPI looked for "
                    f"{names} in the query string (loc {query[0]['loc']}): plain scalar "
                    "parameters are read from the query.",
                    "one Pydantic model parameter for the body (or `Body()`)."
                    if answer.sent_json
                    else "`Form()` on each form field, or one model `Annotated[Model, Form()]`; "
                    "a file is an `UploadFile` parameter.",
                    "ch02_request_validation",
                )
            )
    return found[:1]


def extra_forbidden(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        extra = [e for e in answer.detail if e.get("type") == "extra_forbidden"]
        if answer.status == 422 and extra:
            names = ", ".join(f"`{e['loc'][-1]}`" for e in extra)
            return [
                Diagnosis(
                    "extra_forbidden",
                    f"{answer.method} {answer.path} answered 422 because the model forbids "
                    f"extra fields (`extra='forbid'`) and the request had {names}.",
                    "decide per model: forbid unknown fields (a 422 the client can read) or "
                    "ignore them, the default; never `extra='allow'` on a model you store.",
                    "ch02_request_validation",
                )
            ]
    return []


def db_text_leak(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        match = DB_TEXT.search(answer.body)
        if match and answer.status < 500:
            start = max(0, match.start() - 40)
            return [
                Diagnosis(
                    "db_text_leak",
                    f"{answer.method} {answer.path} answered {answer.status} with the database's "
                    f"own error text in the body: ...{answer.body[start : match.end() + 40]}...",
                    "answer with your own detail; keep the driver's text in the logs.",
                    "ch06_http_errors",
                )
            ]
    return []


def request_refused(obs: Observations) -> list[Diagnosis]:
    """A 422 that no sharper rule explained: where FastAPI looked and what it refused."""
    for answer in obs.answers:
        if answer.status != 422 or not answer.detail:
            continue
        if (answer.method, answer.path) in obs.succeeded:
            continue  # the same route also answered success: this 422 may be one the check wanted
        body_missing = [
            e
            for e in answer.detail
            if list(e.get("loc", []))[:1] == ["body"] and e.get("type") == "missing"
        ]
        if body_missing and not answer.content_type and len(body_missing[0]["loc"]) <= 2:
            return [
                Diagnosis(
                    "body_expected",
                    f"{answer.method} {answer.path} sent no body, yet FastAPI wanted one "
                    f"(loc {body_missing[0]['loc']}): a parameter typed with a Pydantic model "
                    "(a BaseSettings too) is read from the request body unless it is a "
                    "dependency.",
                    "`Annotated[Settings, Depends(get_settings)]` for something the app "
                    "provides; a body model only for what the client sends.",
                    "ch20_settings_lifespan",
                )
            ]
        listed = "; ".join(
            f"`{'.'.join(str(p) for p in e.get('loc', []))}`: {e.get('msg', '')}"
            for e in answer.detail[:5]
        )
        sent = f" (the request was sent as {answer.content_type})" if answer.content_type else ""
        return [
            Diagnosis(
                "request_refused",
                f"{answer.method} {answer.path} answered 422: FastAPI's validation refused the "
                f"request before the endpoint ran{sent}: {listed}.",
                "make the parameters and the request model accept what the client sends "
                "(the `loc` says where FastAPI looked: `body`, `query`, `path`).",
                "ch02_request_validation",
            )
        ]
    return []
