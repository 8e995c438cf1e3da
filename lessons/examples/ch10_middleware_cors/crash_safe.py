"""Worked example for lessons/ch10_middleware_cors.md § 10.2: the 500 gets the header too.

The same books API, with a route that crashes. `CrashSafeTraceMiddleware` stamps every answer
with `X-Trace-Token`; when the app raises before it started an answer, the middleware sends a
generic JSON 500 through its own stamping `send`, then re-raises so the server logs the error.
"""

import secrets

from fastapi import FastAPI, HTTPException
from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BOOKS = {7: {"id": 7, "title": "Dune"}}


class CrashSafeTraceMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket: passed on untouched
            return await self.app(scope, receive, send)
        token = secrets.token_urlsafe(12)
        answered = False

        async def stamped_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = True
                MutableHeaders(scope=message).append("X-Trace-Token", token)
            await send(message)

        try:
            await self.app(scope, receive, stamped_send)
        except Exception:
            if answered:  # too late for a new status line: the client sees a cut-off answer
                raise
            # Generic text only: the exception's message may hold secrets or SQL.
            fallback = JSONResponse({"detail": "Something broke on our side"}, status_code=500)
            await fallback(scope, receive, stamped_send)
            raise  # Starlette's ServerErrorMiddleware sees a started answer and just re-raises


app = FastAPI(title="Books")
app.add_middleware(CrashSafeTraceMiddleware)


@app.get("/books/{book_id}")
async def read_book(book_id: int) -> dict[str, object]:
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail="No such book")
    return BOOKS[book_id]


@app.get("/books/{book_id}/reviews")
async def read_reviews(book_id: int) -> list[str]:
    raise TimeoutError("reviews-db.internal:5432 did not answer")  # a bug, on purpose
