"""Chapter 24, exercise 1: a chat that survives people leaving.

`/ws/chat?name=...` is a WebSocket: each member sends `{"text": "..."}` and every other member
receives `{"user": <name>, "text": <text>}`. `GET /chat/online` lists who is connected. It
works until the first member closes the tab. Every `# TODO:` marks a place to change. Run the
checks with:

    pytest checks/ch24_websockets/test_ex01_chat_disconnects.py

The lesson: lessons/ch24_websockets.md
"""

from typing import Any

from fastapi import FastAPI, WebSocket

app = FastAPI(title="Fastlings chat")


class Lobby:
    """Everyone connected to the chat, by connection."""

    def __init__(self) -> None:
        self.members: dict[WebSocket, str] = {}

    async def join(self, websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        self.members[websocket] = name

    def leave(self, websocket: WebSocket) -> None:
        self.members.pop(websocket, None)

    async def broadcast(self, sender: WebSocket, message: dict[str, Any]) -> None:
        for websocket in list(self.members):
            if websocket is not sender:
                await websocket.send_json(message)


lobby = Lobby()


@app.get("/chat/online")
async def online() -> list[str]:
    return sorted(lobby.members.values())


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket, name: str) -> None:
    await lobby.join(websocket, name)
    # TODO: when a member's connection closes, `receive_json` raises and this function ends,
    # but the member stays in the lobby: it is listed as online, and the next broadcast sends
    # to a closed connection, which fails for the member who was speaking. However the
    # connection ends, the member must leave the lobby.
    while True:
        message = await websocket.receive_json()
        await lobby.broadcast(websocket, {"user": name, "text": message["text"]})
