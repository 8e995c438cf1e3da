"""Diagnoses of how the app's endpoints met a request: the route that answered a 404 itself,
a parameter FastAPI looked for in the query because of a path or a dependency, an exception
returned instead of raised."""

from __future__ import annotations

import re
from typing import Any

from fastlings.plugin.diagnoses.base import Diagnosis
from fastlings.plugin.observe import Answer, Observations
from fastlings.plugin.routes import app_routes

PLACEHOLDER = re.compile(r"{(\w+)(?::\w+)?}")


def matching_route(answer: Answer) -> str | None:
    """The `METHODS /path` of the app's routes (as the 404 recorded them) that matches the
    request's method and path, if one does."""
    from starlette.routing import compile_path

    for listed in answer.routes:
        methods, _, path = listed.partition(" ")
        if answer.method in methods.split("/") and compile_path(path)[0].match(answer.path):
            return listed
    return None


def _route(obs: Observations, method: str, path: str) -> tuple[str, Any] | None:
    """`(full path, APIRoute)` of the learner's route that served `method path`."""
    if obs.module is None:
        return None
    from fastapi import FastAPI
    from fastapi.routing import APIRoute
    from starlette.routing import compile_path

    for app in [v for v in vars(obs.module).values() if isinstance(v, FastAPI)]:
        for full, route in app_routes(app):
            served = isinstance(route, APIRoute) and method in (route.methods or set())
            if served and compile_path(full)[0].match(path):
                return full, route
    return None


def endpoint_not_found(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        if answer.status != 404 or answer.body.replace(" ", "") != '{"detail":"NotFound"}':
            continue
        route = matching_route(answer)
        if route is not None:
            return [
                Diagnosis(
                    "endpoint_not_found",
                    f"{answer.method} {answer.path} answered 404 {answer.body}, yet the route "
                    f"{route} matches it: the endpoint (or one of its dependencies) raised "
                    "`HTTPException(404)` without a detail, and its default 'Not Found' is "
                    "what a URL with no route answers too.",
                    "`HTTPException(status_code=404, detail=...)` with a detail that names what "
                    "is missing.",
                    "ch06_http_errors",
                )
            ]
    return []


def _missing_query(answer: Answer) -> list[tuple[str, str]]:
    """`(where, name)` of what FastAPI reported missing from the query, headers or cookies."""
    if answer.status != 422:
        return []
    found = []
    for error in answer.detail:
        loc = list(error.get("loc", []))
        where = loc[0] if len(loc) == 2 else None
        if where in ("query", "header", "cookie") and error.get("type") == "missing":
            found.append((str(where), str(loc[1])))
    return found


def not_in_path(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        for where, name in _missing_query(answer):
            found = _route(obs, answer.method, answer.path)
            if found is None or where != "query":
                continue
            full, route = found
            taken = {p.name for p in route.dependant.path_params}
            unused = [p for p in PLACEHOLDER.findall(full) if p not in taken]
            asked = {p.name for p in route.dependant.query_params}
            if unused and name in asked and name not in PLACEHOLDER.findall(full):
                return [
                    Diagnosis(
                        "not_in_path",
                        f"{answer.method} {answer.path} answered 422: FastAPI looked for "
                        f"`{name}` in the query string (loc ['query', '{name}']). The route's "
                        f"path `{full}` has no `{{{name}}}`, and its "
                        f"{', '.join(f'`{{{p}}}`' for p in unused)} is taken by no parameter "
                        "of the endpoint: a parameter is a path parameter only when the path "
                        "names it.",
                        f"one name for both: `{{{name}}}` in the path and the endpoint's "
                        f"parameter `{name}`.",
                        "ch02_request_validation",
                    )
                ]
    return []


def _asked_by(dependant: Any, name: str) -> Any:
    """The callable of the sub-dependency (at any depth) that takes `name` from the request."""
    for sub in dependant.dependencies:
        own = [*sub.query_params, *sub.header_params, *sub.cookie_params]
        if any(p.name == name for p in own):
            return sub.call
        deeper = _asked_by(sub, name)
        if deeper is not None:
            return deeper
    return None


def dependency_parameter(obs: Observations) -> list[Diagnosis]:
    for answer in obs.answers:
        for where, name in _missing_query(answer):
            found = _route(obs, answer.method, answer.path)
            if found is None:
                continue
            call = _asked_by(found[1].dependant, name)
            if call is None or isinstance(call, type):
                continue  # a class (a model) as dependency: its fields are read from the request
            module = vars(obs.module) if obs.module is not None else {}
            known = next((k for k, v in module.items() if v is call), None)
            shown = known or getattr(call, "__name__", None) or type(call).__name__
            return [
                Diagnosis(
                    "dependency_parameter",
                    f"{answer.method} {answer.path} answered 422: FastAPI looked for `{name}` "
                    f"in the request (loc {[where, name]}), a parameter of the dependency "
                    f"`{shown}` ({type(call).__name__}), not of the endpoint: FastAPI fills a "
                    "dependency's own parameters from the request too.",
                    "if the client may leave it out, give that parameter a default; if the app "
                    "should provide the value, depend on a function that asks the request for "
                    "nothing (a `get_db()` that takes no parameters and yields a session).",
                    "ch05_async_sessions",
                )
            ]
    return []


EXCEPTION_NAME = re.compile(r"^\w*(Exception|Error)$")


def returned_exception(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type != "ResponseValidationError":
            continue
        for error in r.errors:
            loc = list(error.get("loc", []))
            kind = str(error.get("input_type", ""))
            if loc[:1] == ["response"] and len(loc) <= 2 and EXCEPTION_NAME.match(kind):
                return [
                    Diagnosis(
                        "returned_exception",
                        f"The endpoint returned a `{kind}` instead of raising it: FastAPI took "
                        "it for the response body, could not fit it into the response model "
                        f"(`{'.'.join(str(p) for p in loc)}`: {error.get('msg', '')}), and "
                        "answered 500.",
                        f"`raise {kind}(...)`: raising ends the request with its status and "
                        "detail.",
                        "ch06_http_errors",
                    )
                ]
    return []
