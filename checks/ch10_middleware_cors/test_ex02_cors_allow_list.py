"""Checks for chapter 10, exercise 2: CORS answers an allow-list of origins, with credentials.

CORS is enforced by browsers, from the headers the API sends. So the checks send what a browser
sends (an `Origin` header, and for a preflight `OPTIONS` with Access-Control-Request-*) and
read the Access-Control-Allow-* headers of the answer.
"""

import httpx

from fastlings.testing import Teach

ALLOWED = ["https://app.example.com", "https://admin.example.com"]
OTHERS = [
    ("https://evil.example", "a phishing site"),
    ("http://app.example.com", "the app's host over plain http"),
    ("https://app.example.com.evil.net", "a host that only starts like the app's"),
    ("https://evil.example.com", "a sibling subdomain (anyone hosting on example.com)"),
    ("https://evil-app.example.com", "a sibling whose name ends like the app's"),
    ("https://example.com", "the parent domain"),
    ("https://app.example.com:8443", "the app's host on another port"),
    ("null", "a sandboxed iframe or a file:// page"),
]


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }


async def test_front_end_origins_are_allowed_with_credentials(
    client: httpx.AsyncClient, teach: Teach
) -> None:
    for origin in ALLOWED:
        preflight = await client.options("/orders", headers=preflight_headers(origin))
        acao = preflight.headers.get("access-control-allow-origin")
        methods = preflight.headers.get("access-control-allow-methods", "")
        assert preflight.status_code == 200 and acao == origin, teach(
            f"The preflight OPTIONS /orders from {origin} (method POST, header content-type) "
            f"answered {preflight.status_code} with Access-Control-Allow-Origin {acao!r}: "
            f"{preflight.text[:80]!r}.",
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


async def test_other_origins_get_no_cors_headers(client: httpx.AsyncClient, teach: Teach) -> None:
    for origin, who in OTHERS:
        preflight = await client.options("/orders", headers=preflight_headers(origin))
        acao = preflight.headers.get("access-control-allow-origin")
        assert acao is None, teach(
            f"The preflight OPTIONS /orders from {origin} ({who}) was answered with "
            f"Access-Control-Allow-Origin: {acao}: browsers let that page send the request "
            "with the user's cookies.",
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
