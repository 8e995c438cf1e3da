"""Chapter 10, exercise 1: a request id and a timing header on every response.

Support asks users for "the request id of the failing call", and the on-call engineer looks it
up in the logs. That only works if EVERY response carries one: a 200, a 404 for an unknown
path, a 422 for a bad parameter and, above all, the 500 of a bug nobody has found yet.
Today the headers are set inside one endpoint, so most responses have none.

The checks require these headers on every HTTP response, whatever its status:

    X-Request-ID     the client's own X-Request-ID when it sends one (or a fresh id, your
                     choice), otherwise a fresh id per request (a uuid4 hex is fine)
    X-Process-Time   the seconds spent on the request, e.g. "0.0123"
                     (a `Server-Timing: app;dur=12.3` header in milliseconds is accepted too)

Every `# TODO:` marks a place to change. Keep `app` the FastAPI application. Run the checks:

    pytest checks/ch10_middleware_cors/test_ex01_request_id_middleware.py

The lesson: lessons/ch10_middleware_cors.md
"""

import time
import uuid

from fastapi import FastAPI, HTTPException, Response

ITEMS: dict[int, dict[str, object]] = {
    1: {"id": 1, "name": "Keyboard", "price": 49.0},
    2: {"id": 2, "name": "Monitor", "price": 189.0},
}

# TODO: set X-Request-ID and X-Process-Time for every response in one place: a middleware,
# TODO: registered on the app here, that also covers 404s, 422s and the 500 of an unhandled
# TODO: exception. Check what `@app.middleware("http")` does with that 500 before you pick it.
app = FastAPI(title="Fastlings inventory")


@app.get("/items/{item_id}")
async def read_item(item_id: int, response: Response) -> dict[str, object]:
    # TODO: remove the per-endpoint headers once the middleware sets them.
    started = time.perf_counter()
    response.headers["X-Request-ID"] = uuid.uuid4().hex
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
    return item


@app.get("/items/{item_id}/stock")
async def read_stock(item_id: int) -> dict[str, int]:
    # A bug nobody has found yet: it stays, because its 500 must carry the headers too.
    raise ConnectionError("the warehouse service did not answer")
