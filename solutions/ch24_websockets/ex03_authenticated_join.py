"""Chapter 24, exercise 3: the reference solution.

The socket is accepted, then its first message must carry a valid token within AUTH_SECONDS;
otherwise it is closed with 1008 (policy violation) before it joins anything, so it never hears
a message. A close *after* accepting reaches the client with its code; closing before
accepting is turned by servers into a bare HTTP 403, and a browser sees only code 1006.
"""

import asyncio
from typing import Annotated, Any

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status

AUTH_SECONDS = 5.0  # how long a new socket may take to send its token (the checks shorten it)

app = FastAPI(title="Fastlings chat")


class TokenStore:
    """Who each access token belongs to (in a real app: chapter 11's tokens)."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def user_for(self, token: str) -> str | None:
        return self.users.get(token)


def get_tokens() -> TokenStore:
    return TokenStore({"tok-ada-7f3e": "ada", "tok-bob-91c2": "bob"})


TokensDep = Annotated[TokenStore, Depends(get_tokens)]


class Rooms:
    """The connections of each room, by room name."""

    def __init__(self) -> None:
        self.by_room: dict[str, dict[WebSocket, str]] = {}

    def join(self, room: str, websocket: WebSocket, name: str) -> None:
        self.by_room.setdefault(room, {})[websocket] = name

    def leave(self, room: str, websocket: WebSocket) -> None:
        members = self.by_room.get(room, {})
        members.pop(websocket, None)
        if not members:
            self.by_room.pop(room, None)

    async def broadcast(self, room: str, sender: WebSocket, message: dict[str, Any]) -> None:
        for websocket in list(self.by_room.get(room, {})):
            if websocket is not sender:
                await websocket.send_json(message)


rooms = Rooms()


async def authenticate(websocket: WebSocket, tokens: TokenStore) -> str | None:
    """The user named by the socket's first message, or None (no token, a bad one, silence)."""
    try:
        async with asyncio.timeout(AUTH_SECONDS):  # a silent socket must not wait forever
            first = await websocket.receive_json()
    except (TimeoutError, ValueError, KeyError):  # silence, not JSON, not a text frame
        return None
    token = first.get("token") if isinstance(first, dict) else None
    return tokens.user_for(token) if isinstance(token, str) else None


@app.websocket("/ws/rooms/{room}")
async def room_socket(websocket: WebSocket, room: str, tokens: TokensDep) -> None:
    await websocket.accept()  # first accept, so that the close code below reaches the client
    try:
        user = await authenticate(websocket, tokens)
    except WebSocketDisconnect:
        return  # gone before saying who they are: nothing was joined
    if user is None:
        await websocket.close(
            code=status.WS_1008_POLICY_VIOLATION, reason="a valid token is required"
        )
        return
    rooms.join(room, websocket, user)  # only now: nothing reached the socket before
    await websocket.send_json({"joined": room, "user": user})
    try:
        while True:
            message = await websocket.receive_json()
            await rooms.broadcast(
                room, websocket, {"room": room, "user": user, "text": message["text"]}
            )
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(room, websocket)
