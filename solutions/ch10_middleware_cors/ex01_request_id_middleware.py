"""Chapter 10, exercise 1: the reference solution.

One pure ASGI middleware sets X-Request-ID and X-Process-Time on every HTTP response. It wraps
`send`, so it sees the start of each response whoever produced it (a route, the 404 of the
router, the 422 of validation), and it answers the 500 of an unhandled exception itself, with
the headers, before re-raising so that the server still logs the traceback.
"""

import re
import time
import uuid

from fastapi import FastAPI, HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ITEMS: dict[int, dict[str, object]] = {
    1: {"id": 1, "name": "Keyboard", "price": 49.0},
    2: {"id": 2, "name": "Monitor", "price": 189.0},
}

# An incoming id is echoed only if it looks like an id: no one gets to put 10 kB of anything
# into our logs and response headers.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


# A pure ASGI middleware instead of `@app.middleware("http")`: user middleware always runs
# inside Starlette's ServerErrorMiddleware, which builds the 500 of an unhandled exception and
# sends it past every user middleware. So this class answers that 500 itself.
class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket messages pass straight through
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                headers = MutableHeaders(scope=message)  # edits the message's header list
                headers["X-Request-ID"] = request_id
                headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not response_started:
                response = PlainTextResponse("Internal Server Error", status_code=500)
                await response(scope, receive, send_with_headers)
            raise  # ServerErrorMiddleware sees the response has started and only re-raises


# Registered once, for the whole app: every route, and every response the framework makes
# itself. (`app.add_middleware(RequestContextMiddleware)` after creating the app is the same.)
app = FastAPI(title="Fastlings inventory", middleware=[Middleware(RequestContextMiddleware)])


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, object]:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.get("/items/{item_id}/stock")
async def read_stock(item_id: int) -> dict[str, int]:
    # A bug nobody has found yet: it stays, because its 500 must carry the headers too.
    raise ConnectionError("the warehouse service did not answer")
