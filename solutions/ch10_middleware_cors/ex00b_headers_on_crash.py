"""Chapter 10, step 2: the reference solution.

A pure ASGI middleware instead of `@app.middleware("http")`: it wraps `send` to add the id to
every answer, and when the app raises before answering it sends a plain 500 through that same
`send`, then re-raises so that the server still logs the traceback.
"""

import uuid

from fastapi import FastAPI, HTTPException
from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ITEMS: dict[int, dict[str, object]] = {
    1: {"id": 1, "name": "Keyboard", "price": 49.0},
    2: {"id": 2, "name": "Monitor", "price": 189.0},
}


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not started:
                error = PlainTextResponse("Internal Server Error", status_code=500)
                await error(scope, receive, send_with_id)
            raise


app = FastAPI(title="Fastlings inventory")
app.add_middleware(RequestIdMiddleware)


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, object]:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.get("/items/{item_id}/stock")
async def read_stock(item_id: int) -> dict[str, int]:
    # A bug nobody has found yet: it stays, because its 500 must carry the id too.
    raise ConnectionError("warehouse.internal:9000 refused the connection")
