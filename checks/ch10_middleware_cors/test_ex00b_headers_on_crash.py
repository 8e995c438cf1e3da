"""Checks for chapter 10, step 2: the 500 of an unhandled exception carries X-Request-ID."""

import httpx

from fastlings.testing import Teach

SECRET_TEXT = "warehouse.internal"  # in the exception the starter's stock route raises


async def test_crash_answers_500_with_request_id(client: httpx.AsyncClient, teach: Teach) -> None:
    response = await client.get("/items/1/stock")
    assert response.status_code == 500, teach(
        f"GET /items/1/stock, a route that raises ConnectionError, answered "
        f"{response.status_code}.",
        "500 Internal Server Error: a crash is still a server error, whatever adds the header",
    )
    assert response.headers.get("x-request-id", "").strip(), teach(
        f"The 500 of the crash has no X-Request-ID; its headers are {sorted(response.headers)}. "
        'Neither `@app.middleware("http")` (its `call_next` raises) nor a pure ASGI middleware '
        "that only wraps `send` sees that answer: Starlette's ServerErrorMiddleware, outside "
        "all user middleware, sends it.",
        "a middleware that catches the exception and sends the 500 itself, with the id (a pure "
        "ASGI middleware, or a try/except around call_next), or an exception handler for "
        "Exception that adds it",
    )
    second = await client.get("/items/1/stock")
    assert second.headers.get("x-request-id") != response.headers.get("x-request-id"), teach(
        "Two crashing requests got the same X-Request-ID "
        f"{response.headers.get('x-request-id')!r}.",
        "a fresh id per request, on the 500 too",
    )


async def test_500_body_hides_the_exception(client: httpx.AsyncClient, teach: Teach) -> None:
    response = await client.get("/items/1/stock")
    assert SECRET_TEXT not in response.text and "ConnectionError" not in response.text, teach(
        f"The 500 of the crash shows the exception to the client: {response.text[:120]!r}.",
        "a generic body such as 'Internal Server Error'; the traceback belongs in the server "
        "log (re-raise, or log it), not in the answer",
    )


async def test_other_responses_keep_status_and_id(client: httpx.AsyncClient, teach: Teach) -> None:
    for path, status in [("/items/1", 200), ("/items/999", 404), ("/items/x", 422)]:
        response = await client.get(path)
        assert response.status_code == status, teach(
            f"GET {path} answered {response.status_code}.",
            f"{status}: only unhandled exceptions become 500",
        )
        assert response.headers.get("x-request-id", "").strip(), teach(
            f"GET {path} ({status}) lost its X-Request-ID.",
            "the id on every answer, as before",
        )
