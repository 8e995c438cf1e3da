"""Checks for chapter 10, step 2: the 500 of an unhandled exception carries X-Request-ID."""

from types import ModuleType

import httpx
import pytest

from checks.ch10_middleware_cors._app import fastapi_app
from checks.ch10_middleware_cors.conftest import headers_of, middleware_note, who_sent_500
from fastlings.testing import Teach, expecting

SECRET_TEXT = "warehouse.internal"  # in the exception the starter's stock route raises

pytestmark = pytest.mark.usefixtures("marked_default_500")


async def test_crash_answers_500_with_request_id(
    client: httpx.AsyncClient, module: ModuleType, teach: Teach
) -> None:
    response = await client.get("/items/1/stock", extensions=expecting(500))
    assert response.status_code == 500, teach(
        f"GET /items/1/stock, a route that raises ConnectionError, answered "
        f"{response.status_code}.",
        "500 Internal Server Error: a crash is still a server error, whatever adds the header",
    )
    assert response.headers.get("x-request-id", "").strip(), teach(
        f"The 500 of the crash has no X-Request-ID; its headers are {headers_of(response)}. "
        + who_sent_500(response, fastapi_app(module, teach)),
        "a middleware that catches the exception and sends the 500 itself, with the id (a pure "
        "ASGI middleware, or a try/except around call_next), or an exception handler for "
        "Exception that adds it",
    )
    second = await client.get("/items/1/stock", extensions=expecting(500))
    assert second.headers.get("x-request-id") != response.headers.get("x-request-id"), teach(
        "Two crashing requests got the same X-Request-ID "
        f"{response.headers.get('x-request-id')!r}.",
        "a fresh id per request, on the 500 too",
    )


async def test_500_body_hides_the_exception(client: httpx.AsyncClient, teach: Teach) -> None:
    response = await client.get("/items/1/stock", extensions=expecting(500))
    assert SECRET_TEXT not in response.text and "ConnectionError" not in response.text, teach(
        f"The 500 of the crash shows the exception to the client: {response.text[:120]!r}.",
        "a generic body such as 'Internal Server Error'; the traceback belongs in the server "
        "log (re-raise, or log it), not in the answer",
    )


async def test_other_responses_keep_status_and_id(
    client: httpx.AsyncClient, module: ModuleType, teach: Teach
) -> None:
    for path, status in [("/items/1", 200), ("/items/999", 404), ("/items/x", 422)]:
        response = await client.get(path, extensions=expecting(status))
        assert response.status_code == status, teach(
            f"GET {path} answered {response.status_code}.",
            f"{status}: only unhandled exceptions become 500",
        )
        assert response.headers.get("x-request-id", "").strip(), teach(
            f"GET {path} ({status}) lost its X-Request-ID."
            + middleware_note(fastapi_app(module, teach), module),
            "the id on every answer, as before",
        )
