"""Chapter 24, exercise 2: the reference solution.

Connections are kept per room (`room -> {connection: name}`): a broadcast looks up the room and
sends to its other members only, and a room that empties is forgotten.
"""

from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI(title="Fastlings chat")


class Rooms:
    """The connections of each room, by room name."""

    def __init__(self) -> None:
        # One table per room: a broadcast touches only the room's own members.
        self.by_room: dict[str, dict[WebSocket, str]] = {}

    async def join(self, room: str, websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        self.by_room.setdefault(room, {})[websocket] = name

    def leave(self, room: str, websocket: WebSocket) -> None:
        members = self.by_room.get(room, {})
        members.pop(websocket, None)
        if not members:
            self.by_room.pop(room, None)  # an empty room is forgotten, not kept forever

    def names(self, room: str) -> list[str]:
        return sorted(self.by_room.get(room, {}).values())

    def rooms(self) -> list[str]:
        return sorted(self.by_room)

    async def broadcast(self, room: str, sender: WebSocket, message: dict[str, Any]) -> None:
        for websocket in list(self.by_room.get(room, {})):
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
