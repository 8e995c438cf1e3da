"""In-process WebSocket clients for the chapter 24 checks, on the check's own event loop.

Each `Socket` calls the ASGI app with a `websocket` scope and two queues, the way a server
does, so several members can join, speak and leave in any order while the check watches what
each one receives (with a timeout, to tell "nothing arrived" from "it arrived late").

Why not a library: Starlette's `TestClient` runs the app on another thread's loop and its
`receive_json()` has no timeout, so "this socket received nothing" cannot be checked; httpx-ws
0.9's `ASGIWebSocketTransport` nests one task group per socket, so closing a socket while a
later one is still open fails ("Attempted to exit a cancel scope that isn't the current
task's current cancel scope"), and `close()` inside a session breaks its reader.

After a client leaves, a send to its socket raises `OSError` as uvicorn's does; Starlette turns
that into `WebSocketDisconnect(1006)` in the handler that sent.

Not a checks file (its name does not start with `test_`): the checks import it.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocketDisconnect

QUIET = 0.05  # seconds a socket must stay silent to count as "received nothing"
ARRIVE = 0.1  # seconds a message that should arrive may take (it takes ~1 ms)
TURNS = 20  # turns of the event loop a wait still gives the app once its time is up

ASGIApp = Callable[..., Any]


@dataclass
class Closed:
    """The server closed the socket, refused it, or its handler raised."""

    code: int
    reason: str
    accepted: bool
    """False when the socket was closed before the handshake was accepted."""


class Socket:
    """One client connection. `await socket.connect()` first."""

    def __init__(self, app: ASGIApp, path: str, learner_file: str | None = None) -> None:
        url = urlsplit(path)
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": url.path,
            "raw_path": url.path.encode(),
            "query_string": url.query.encode(),
            "root_path": "",
            "headers": [(b"host", b"test")],
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
            "subprotocols": [],
            "state": {},
        }
        self.app = app
        self.path = path
        self.learner_file = learner_file
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.accepted = False
        self.gone = False
        self.closed: Closed | None = None

    async def connect(self) -> Closed | None:
        """Open the connection; a `Closed` if the app refused it, None once it accepted."""
        await self._to_app.put({"type": "websocket.connect"})
        self._task = asyncio.create_task(self._run())
        outcome = await self._next_event(ARRIVE, handshake=True)
        return outcome if isinstance(outcome, Closed) else None

    async def _run(self) -> None:
        async def receive() -> dict[str, Any]:
            return await self._to_app.get()

        async def send(message: dict[str, Any]) -> None:
            if self.gone:
                raise OSError("the client has gone away")  # what uvicorn's send does then
            await self._from_app.put(message)

        try:
            await self.app(self.scope, receive, send)
        except Exception as exc:
            await self._from_app.put({"type": "app.raised", "error": exc})
        else:
            await self._from_app.put({"type": "app.returned"})

    async def _next_event(self, wait: float, handshake: bool = False) -> Any:
        if self.closed is not None:
            return self.closed
        try:
            message = await asyncio.wait_for(self._from_app.get(), wait)
        except TimeoutError:
            late = await self._within_turns()
            if late is None:
                if handshake:
                    self.closed = Closed(1006, "the app never accepted the connection", False)
                    return self.closed
                return None
            message = late
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted = True
            return None if handshake else await self._next_event(wait)
        if kind == "websocket.send":
            text = message.get("text")
            return text if text is not None else message.get("bytes")
        if kind == "websocket.close":
            reason = message.get("reason") or ""
            if not isinstance(reason, str):  # FastAPI closes a failed validation with its errors
                reason = json.dumps(reason)
            self.closed = Closed(int(message.get("code", 1000)), reason, self.accepted)
        elif kind == "app.raised":
            error = message["error"]
            detail = f": {error}" if str(error) else ""
            if isinstance(error, WebSocketDisconnect) or (not detail and hasattr(error, "code")):
                detail = f"(code={error.code})"  # its text is only a tuple of code and reason
            detail += learner_line(error, self.learner_file)
            # uvicorn logs "Exception in ASGI application" and drops the connection without a
            # close frame: clients report 1006 (abnormal closure)
            self.closed = Closed(
                1006, f"the app raised {type(error).__name__}{detail}", self.accepted
            )
        elif kind == "app.returned":
            self.closed = Closed(1006, "the handler returned without closing", self.accepted)
        else:  # websocket.http.response.start: a denial response instead of the handshake
            self.closed = Closed(1006, f"the app answered HTTP {message.get('status')}", False)
        return self.closed

    async def _within_turns(self) -> dict[str, Any] | None:
        """A message the app sends within TURNS more turns of the event loop, or None.

        A wait measured on the clock can pass while a busy machine runs other processes, before
        the app had its turns; sending a message takes the app a few turns, so after these
        "nothing arrived" means the app sent nothing, however busy the machine was.
        """
        for _ in range(TURNS):
            if not self._from_app.empty():
                break
            await asyncio.sleep(0)  # one turn: every task that is ready runs a step
        return None if self._from_app.empty() else self._from_app.get_nowait()

    async def send_json(self, data: Any) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def send_text(self, text: str) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": text})

    async def receive(self, wait: float = ARRIVE) -> Any:
        """The next message (JSON decoded when it is JSON), a `Closed`, or None after `wait`."""
        event = await self._next_event(wait)
        if isinstance(event, str):
            try:
                return json.loads(event)
            except ValueError:
                return event
        return event

    async def leave(self, code: int = 1000) -> None:
        """Close from the client's side, as a closing browser tab does."""
        if not self.gone:
            self.gone = True
            await self._to_app.put({"type": "websocket.disconnect", "code": code, "reason": ""})

    async def finish(self) -> None:
        await self.leave()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=1.0)
            if not done:
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=1.0)


def learner_line(error: BaseException, learner_file: str | None) -> str:
    """` at file:line (in function): `line`` of the innermost frame of `error` in the learner's
    file ("" when the learner's file is not in its traceback)."""
    if learner_file is None:
        return ""
    target = Path(learner_file).resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename).resolve() == target:
            try:
                shown = target.relative_to(Path.cwd()).as_posix()
            except ValueError:
                shown = str(target)
            source = f": `{frame.line.strip()}`" if frame.line and frame.line.strip() else ""
            return f" at {shown}:{frame.lineno} (in {frame.name}){source}"
    return ""


class Chat:
    """Sockets to the learner's app and an HTTP client for its other routes."""

    def __init__(self, app: ASGIApp, http: Any, learner_file: str | None = None) -> None:
        self.app = app
        self.http = http
        self.learner_file = learner_file
        self.sockets: list[Socket] = []

    async def open(self, path: str) -> Socket:
        """A socket the app accepted (the check fails, saying what happened, otherwise)."""
        socket = await self.connect(path)
        closed = socket.closed
        assert closed is None, (
            f"Connecting to {path} failed: {describe(closed)}{handshake_answer(closed)}.\n"
            "Expected: the app accepts the connection (`await websocket.accept()`)"
        )
        return socket

    async def connect(self, path: str) -> Socket:
        """A socket, accepted or not: see `socket.closed`."""
        socket = Socket(self.app, path, self.learner_file)
        self.sockets.append(socket)
        await socket.connect()
        return socket

    async def close_all(self) -> None:
        for socket in self.sockets:
            await socket.finish()


def handshake_answer(closed: Closed | None) -> str:
    """What a real server (uvicorn) answers the upgrade request with, when the app ended the
    connection before accepting it ("" when it accepted, or never answered)."""
    if closed is None or closed.accepted:
        return ""
    if closed.reason.startswith("the app raised "):
        return (
            "; an exception before `accept()` reaches a real client as an HTTP 500 answer to "
            "the handshake"
        )
    if closed.code != 1006:
        return (
            "; a close before `accept()` reaches a real client as a bare HTTP 403, without the code"
        )
    return ""


def describe(seen: Any) -> str:
    """Words for what a socket received."""
    if isinstance(seen, Closed):
        when = "after accepting it" if seen.accepted else "before accepting it"
        why = f" ({seen.reason})" if seen.reason else ""
        return f"the server closed the connection {when} with code {seen.code}{why}"
    if seen is None:
        return "nothing"
    return repr(seen)


OpenChat = Callable[[], AbstractAsyncContextManager[Chat]]
"""The `open_chat` fixture's type: `async with open_chat() as chat:`."""
