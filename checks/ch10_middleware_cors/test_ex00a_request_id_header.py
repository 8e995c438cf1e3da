"""Checks for chapter 10, step 1: X-Request-ID on every response, fresh for each request."""

from types import ModuleType

import httpx

from checks.ch10_middleware_cors._app import fastapi_app
from checks.ch10_middleware_cors.conftest import assert_sent_id_echoed_or_fresh, middleware_note
from fastlings.testing import Teach, expecting

CASES = [
    ("/items/1", 200, "an item that exists"),
    ("/items/999", 404, "a missing item (HTTPException in the route)"),
    ("/no/such/path", 404, "a path no route matches (the router's own 404)"),
    ("/items/not-a-number", 422, "an id that is not an int (validation)"),
]


async def test_request_id_on_every_response(
    client: httpx.AsyncClient, module: ModuleType, teach: Teach
) -> None:
    for path, status, why in CASES:
        response = await client.get(path, extensions=expecting(status))
        assert response.status_code == status, teach(
            f"GET {path}, {why}, answered {response.status_code}.",
            f"{status}: adding a header leaves the status alone",
        )
        request_id = response.headers.get("x-request-id", "")
        assert request_id.strip(), teach(
            f"GET {path} ({status}, {why}) has no X-Request-ID header; its headers are "
            f"{sorted(response.headers)}.{middleware_note(fastapi_app(module, teach), module)}",
            "one middleware registered on the app that adds the header to every response; "
            "code in an endpoint or a dependency only runs when a route matched and validated",
        )


async def test_each_request_gets_its_own_id(client: httpx.AsyncClient, teach: Teach) -> None:
    ids = []
    for path, status, _why in CASES + CASES:
        response = await client.get(path, extensions=expecting(status))
        ids.append(response.headers.get("x-request-id", ""))
    assert all(ids) and len(set(ids)) == len(ids), teach(
        f"Eight requests that sent no X-Request-ID got the ids {ids}.",
        "a new, non-empty id for every request: make it inside the middleware's call, "
        "not once when the module is imported or the middleware is built",
    )
    await assert_sent_id_echoed_or_fresh(
        client,
        "ticket-4711",
        ids,
        teach,
        "A request that sent X-Request-ID: ticket-4711 got back {got!r}.",
    )
