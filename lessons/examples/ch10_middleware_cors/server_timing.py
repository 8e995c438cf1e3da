"""Worked example for lessons/ch10_middleware_cors.md § 10.3: how long did the request take?

`ServerTimingMiddleware` reads a monotonic clock when the request arrives and again when the
answer starts, and reports the difference in the standard `Server-Timing` header (milliseconds,
shown by browsers' developer tools).
"""

import asyncio
import time

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket: passed on untouched
            return await self.app(scope, receive, send)
        arrived = time.monotonic()  # per request: a clock read at import would only grow

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.monotonic() - arrived) * 1000
                MutableHeaders(scope=message).append("Server-Timing", f"app;dur={elapsed_ms:.1f}")
            await send(message)

        await self.app(scope, receive, timed_send)


app = FastAPI(title="Books")
app.add_middleware(ServerTimingMiddleware)


@app.get("/books/search")
async def search_books(q: str) -> list[str]:
    await asyncio.sleep(0.05)  # a slow search index
    return [title for title in ("Dune", "Emma") if q.lower() in title.lower()]
