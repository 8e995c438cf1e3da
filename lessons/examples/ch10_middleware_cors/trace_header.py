"""Worked example for lessons/ch10_middleware_cors.md § 10.1: a header on every response.

A books API that stamps every answer with `X-Trace-Token`, a fresh random token per request,
whoever produced the answer: a route, the router's 404, or validation's 422. Shown twice: as a
pure ASGI middleware (`TraceTokenMiddleware`) and as a function middleware (`stamp_trace`).
"""

import secrets

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.middleware.base import RequestResponseEndpoint
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BOOKS = {7: {"id": 7, "title": "Dune"}, 8: {"id": 8, "title": "Emma"}}


class TraceTokenMiddleware:
    """A pure ASGI middleware: it is an ASGI app that wraps the next one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket traffic is not ours
            return await self.app(scope, receive, send)
        token = secrets.token_urlsafe(12)  # made per request, inside the call

        async def stamped_send(message: Message) -> None:
            if message["type"] == "http.response.start":  # the status line and headers
                MutableHeaders(scope=message).append("X-Trace-Token", token)
            await send(message)

        await self.app(scope, receive, stamped_send)


def build_books_app() -> FastAPI:
    books = FastAPI(title="Books")

    @books.get("/books/{book_id}")
    async def read_book(book_id: int) -> dict[str, object]:
        if book_id not in BOOKS:
            raise HTTPException(status_code=404, detail="No such book")
        return BOOKS[book_id]

    return books


app = build_books_app()
app.add_middleware(TraceTokenMiddleware)

# The same behaviour as a function middleware. Shorter, and fine for headers on 200, 404 and
# 422; § 10.2 shows the one response it never sees.
function_app = build_books_app()


@function_app.middleware("http")
async def stamp_trace(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    response.headers["X-Trace-Token"] = secrets.token_urlsafe(12)
    return response
