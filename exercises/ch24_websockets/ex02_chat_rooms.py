"""Chapter 24, exercise 2: rooms, so a message reaches only the people it is meant for.

`/ws/rooms/{room}?name=...` joins a chat room: each member sends `{"text": "..."}` and the
other members *of that room* receive `{"room": <room>, "user": <name>, "text": <text>}`. A
person may be in several rooms at once, one connection per room. `GET /rooms` lists the rooms
that have members, and `GET /rooms/{room}/members` who is in one. Every `# TODO:` marks a place
to change. Run the checks with:

    pytest checks/ch24_websockets/test_ex02_chat_rooms.py

The lesson: lessons/ch24_websockets.md
"""

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI(title="Fastlings chat")


@dataclass
class Member:
    # TODO: here a room is only a field of each member: nothing keeps a room's connections
    # together (see `Rooms`).
    room: str
    name: str


class Rooms:
    """Every connection, with the room it joined."""

    def __init__(self) -> None:
        # TODO: one flat table of every connection, whatever its room: finding a room's
        # members means looking at everyone, and the broadcast below does not look at all.
        self.members: dict[WebSocket, Member] = {}

    async def join(self, room: str, websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        self.members[websocket] = Member(room, name)

    # TODO: once connections are kept by room, leaving also forgets a room that is left empty.
    def leave(self, room: str, websocket: WebSocket) -> None:
        self.members.pop(websocket, None)

    # TODO: answer these from the rooms' own tables instead of scanning every connection.
    def names(self, room: str) -> list[str]:
        return sorted(m.name for m in self.members.values() if m.room == room)

    def rooms(self) -> list[str]:
        return sorted({m.room for m in self.members.values()})

    async def broadcast(self, room: str, sender: WebSocket, message: dict[str, Any]) -> None:
        # TODO: this sends to every connection in every room: a message in one room reaches
        # the members of all the others (and the sender's connections to other rooms). Send
        # only to the other members of `room`.
        for websocket in list(self.members):
            if websocket is not sender:
                await websocket.send_json(message)


rooms = Rooms()


@app.get("/rooms")
async def list_rooms() -> list[str]:
    return rooms.rooms()


@app.get("/rooms/{room}/members")
async def room_members(room: str) -> list[str]:
    return rooms.names(room)


@app.websocket("/ws/rooms/{room}")
async def room_socket(websocket: WebSocket, room: str, name: str) -> None:
    await rooms.join(room, websocket, name)
    try:
        while True:
            message = await websocket.receive_json()
            await rooms.broadcast(
                room, websocket, {"room": room, "user": name, "text": message["text"]}
            )
    except WebSocketDisconnect:
        pass
    finally:
        rooms.leave(room, websocket)
