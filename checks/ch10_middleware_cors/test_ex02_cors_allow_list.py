"""Checks for chapter 10, exercise 2: CORS answers an allow-list of origins, with credentials.

CORS is enforced by browsers, from the headers the API sends. So the checks send what a browser
sends (an `Origin` header, and for a preflight `OPTIONS` with Access-Control-Request-*) and
read the Access-Control-Allow-* headers of the answer.
"""

import re
from types import ModuleType
from typing import Any

import httpx
from fastapi.middleware.cors import CORSMiddleware

from checks.ch10_middleware_cors._app import fastapi_app
from fastlings.testing import Teach, expecting

ALLOWED = ["https://app.example.com", "https://admin.example.com"]
OTHERS = [
    ("https://evil.example", "a phishing site"),
    ("http://app.example.com", "the app's host over plain http"),
    ("https://app.example.com.evil.net", "a host that only starts like the app's"),
    ("https://evil.example.com", "a sibling subdomain (anyone hosting on example.com)"),
    ("https://evil-app.example.com", "a sibling whose name ends like the app's"),
    ("https://example.com", "the parent domain"),
    ("https://app.example.com:8443", "the app's host on another port"),
    ("https://app.example.co", "another domain, the app's name cut short"),
    ("null", "a sandboxed iframe or a file:// page"),
]


def allow_origins_note(module: ModuleType, teach: Teach, origin: str) -> str:
    """What CORSMiddleware was given, when that explains how it judged `origin`: a regex that
    matches it, a str tested as a substring, entries that never match a browser's Origin."""
    given: list[dict[str, Any]] = [
        entry.kwargs
        for entry in fastapi_app(module, teach).user_middleware
        if getattr(entry, "cls", None) is CORSMiddleware
    ]
    if not given:
        return ""
    regex, origins = given[0].get("allow_origin_regex"), given[0].get("allow_origins", ())
    if isinstance(regex, str) and re.fullmatch(regex, origin):
        return f" CORSMiddleware was given allow_origin_regex={regex!r}, which matches {origin}."
    if "allow_origins" not in given[0]:
        named = ", ".join(sorted(given[0])) or "none"
        return f" CORSMiddleware was given no allow_origins (its keyword arguments: {named})."
    if isinstance(origins, str):
        found = "a substring of it" if origin in origins else "not a substring of it"
        return (
            f" CORSMiddleware was given allow_origins={origins!r}, a str, not a list: it checks "
            f"`origin in allow_origins`, which for a str is a substring test ({origin} is "
            f"{found})."
        )
    if not isinstance(origins, list | tuple | set) or origin in origins:
        return ""
    odd = [
        o
        for o in origins
        if isinstance(o, str) and o not in ("*", "null") and (o.endswith("/") or "://" not in o)
    ]
    if not odd:
        return f" CORSMiddleware was given allow_origins={list(origins)!r}."
    return (
        f" CORSMiddleware was given allow_origins={list(origins)!r}: an origin matches only "
        "character for character, and a browser's Origin is scheme://host[:port], never with "
        f"a path or trailing slash, so {odd!r} can never match."
    )


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }


async def test_front_end_origins_are_allowed_with_credentials(
    client: httpx.AsyncClient, module: ModuleType, teach: Teach
) -> None:
    for origin in ALLOWED:
        preflight = await client.options("/orders", headers=preflight_headers(origin))
        acao = preflight.headers.get("access-control-allow-origin")
        methods = preflight.headers.get("access-control-allow-methods", "")
        assert preflight.status_code == 200 and acao == origin, teach(
            f"The preflight OPTIONS /orders from {origin} (method POST, header content-type) "
            f"answered {preflight.status_code} with Access-Control-Allow-Origin {acao!r}: "
            f"{preflight.text[:80]!r}.{allow_origins_note(module, teach, origin)}",
            f"200 with Access-Control-Allow-Origin: {origin}; list the origin exactly as a "
            "browser sends it (scheme and host, no trailing slash) and allow POST and "
            "Content-Type",
        )
        assert "POST" in methods.upper(), teach(
            f"The preflight from {origin} allows the methods {methods!r}.",
            "POST among allow_methods: the front-ends create orders",
        )
        response = await client.get("/me", headers={"Origin": origin})
        acao = response.headers.get("access-control-allow-origin")
        credentials = response.headers.get("access-control-allow-credentials")
        assert (acao, credentials) == (origin, "true"), teach(
            f"GET /me from {origin} answered Access-Control-Allow-Origin {acao!r} and "
            f"Access-Control-Allow-Credentials {credentials!r}.",
            f"{origin!r} and 'true': the front-ends send the session cookie, so "
            "allow_credentials=True with the explicit origin",
        )


async def test_other_origins_get_no_cors_headers(
    client: httpx.AsyncClient, module: ModuleType, teach: Teach
) -> None:
    for origin, who in OTHERS:
        preflight = await client.options(
            "/orders", headers=preflight_headers(origin), extensions=expecting(400)
        )
        acao = preflight.headers.get("access-control-allow-origin")
        assert acao is None, teach(
            f"The preflight OPTIONS /orders from {origin} ({who}) was answered with "
            f"Access-Control-Allow-Origin: {acao}: browsers let that page send the request "
            f"with the user's cookies.{allow_origins_note(module, teach, origin)}",
            'no Access-Control-Allow-Origin for an origin outside the allow-list: no "*" in '
            "allow_origins, no catch-all allow_origin_regex",
        )
        response = await client.get("/me", headers={"Origin": origin})
        acao = response.headers.get("access-control-allow-origin")
        assert acao is None, teach(
            f"GET /me from {origin} ({who}) was answered with Access-Control-Allow-Origin: "
            f"{acao}: that page can read the user's profile.",
            "an explicit allow_origins list: origins outside it get no Access-Control-Allow-Origin",
        )
