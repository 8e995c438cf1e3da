"""Chapter 10, step 1: the reference solution.

One pure ASGI middleware adds X-Request-ID to the start of every HTTP response, whoever built
it: the route, its HTTPException, the router's 404 or validation's 422.
"""

import uuid

from fastapi import FastAPI, HTTPException
from starlette.datastructures import MutableHeaders
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
        request_id = uuid.uuid4().hex  # one per request

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


app = FastAPI(title="Fastlings inventory")
app.add_middleware(RequestIdMiddleware)


@app.get("/items/{item_id}")
async def read_item(item_id: int) -> dict[str, object]:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item
