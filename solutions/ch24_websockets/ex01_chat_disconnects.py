"""Chapter 24, exercise 1: the reference solution.

The receive loop runs inside `try`/`finally`: however the connection ends (the client closes
it, the network drops, the handler fails), the member leaves the lobby, so nobody sends to a
closed connection and the online list stays true.
"""

from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

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
    try:
        while True:
            message = await websocket.receive_json()
            await lobby.broadcast(websocket, {"user": name, "text": message["text"]})
    except WebSocketDisconnect:
        pass  # the client left: an ordinary ending, nothing to report
    finally:
        lobby.leave(websocket)  # on every ending, so no broadcast meets a closed connection
