"""Chapter 24, exercise 3: authenticate a socket before it joins a room.

`/ws/rooms/{room}` joins a chat room. The protocol: the client's first message is
`{"token": "..."}`; the server answers `{"joined": <room>, "user": <name>}`, then relays
`{"text": "..."}` messages to the room's other members as
`{"room": <room>, "user": <name>, "text": <text>}`. A socket without a valid token is closed
with code 1008 (policy violation) and never joins. Right now anyone joins, under any name.
Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch24_websockets/test_ex03_authenticated_join.py

The lesson: lessons/ch24_websockets.md
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect

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


# TODO: nothing here finds out who is connecting; a helper that reads and checks the first
# message keeps the handler short.
@app.websocket("/ws/rooms/{room}")
async def room_socket(websocket: WebSocket, room: str, tokens: TokensDep, name: str = "guest"):
    await websocket.accept()
    # TODO: nobody is asked who they are: the socket joins the room at once, under whatever
    # `?name=` it claims, and hears every message from then on. Before it joins, read its
    # first message, look the token up in `tokens`, and close the socket with code 1008
    # (policy violation) when there is no valid token, or none arrives within AUTH_SECONDS.
    # The member's name is the token's user, never a name the client picks.
    rooms.join(room, websocket, name)
    await websocket.send_json({"joined": room, "user": name})
    try:
        while True:
            message = await websocket.receive_json()
            # TODO: `name` is whatever the client claimed; the sender is the token's user.
            await rooms.broadcast(
                room, websocket, {"room": room, "user": name, "text": message["text"]}
            )
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(room, websocket)
