"""A support desk: the worked example of chapter 24 (WebSockets).

Customers and agents talk about a ticket over `/ws/tickets/{ticket_id}`. The first message
says who is connecting (`{"token": "..."}`); a socket that cannot say is closed with 1008.
Each ticket is its own room, and leaving, however it happens, takes the participant out.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, ValidationError

HELLO_SECONDS = 3.0


class Hello(BaseModel):
    token: str


@dataclass(frozen=True)
class Participant:
    name: str
    role: str  # "agent" or "customer"


class Directory:
    """Who each token belongs to."""

    def __init__(self, people: dict[str, Participant]) -> None:
        self.people = people

    def lookup(self, token: str) -> Participant | None:
        return self.people.get(token)


def get_directory() -> Directory:
    return Directory(
        {
            "agent-token-1": Participant("Grace", "agent"),
            "customer-token-9": Participant("Linus", "customer"),
        }
    )


DirectoryDep = Annotated[Directory, Depends(get_directory)]


class Desk:
    """The open conversations: each ticket's sockets and who holds them."""

    def __init__(self) -> None:
        self.tickets: defaultdict[int, dict[WebSocket, Participant]] = defaultdict(dict)

    @asynccontextmanager
    async def joined(
        self, ticket_id: int, websocket: WebSocket, who: Participant
    ) -> AsyncIterator[None]:
        self.tickets[ticket_id][websocket] = who
        try:
            yield
        finally:  # a closed tab, a dropped network, an error: the participant leaves
            del self.tickets[ticket_id][websocket]
            if not self.tickets[ticket_id]:
                del self.tickets[ticket_id]

    async def tell(self, ticket_id: int, sender: WebSocket, message: dict[str, Any]) -> None:
        others = [ws for ws in self.tickets.get(ticket_id, {}) if ws is not sender]
        # one slow or broken socket must not stop the others from hearing the message
        await asyncio.gather(*(ws.send_json(message) for ws in others), return_exceptions=True)

    def present(self, ticket_id: int) -> list[str]:
        return sorted(p.name for p in self.tickets.get(ticket_id, {}).values())


desk = Desk()
app = FastAPI(title="Support desk")


async def identify(websocket: WebSocket, directory: Directory) -> Participant | None:
    try:
        text = await asyncio.wait_for(websocket.receive_text(), HELLO_SECONDS)
        hello = Hello.model_validate_json(text)
    except (TimeoutError, ValidationError, KeyError):
        return None
    return directory.lookup(hello.token)


@app.get("/tickets/{ticket_id}/present")
async def present(ticket_id: int) -> list[str]:
    return desk.present(ticket_id)


@app.websocket("/ws/tickets/{ticket_id}")
async def ticket_chat(websocket: WebSocket, ticket_id: int, directory: DirectoryDep) -> None:
    await websocket.accept()
    who = await identify(websocket, directory)
    if who is None:
        await websocket.close(status.WS_1008_POLICY_VIOLATION, reason="say who you are first")
        return
    async with desk.joined(ticket_id, websocket, who):
        await websocket.send_json({"ticket": ticket_id, "you": who.name})
        try:
            async for text in websocket.iter_text():
                await desk.tell(
                    ticket_id, websocket, {"from": who.name, "role": who.role, "text": text}
                )
        except WebSocketDisconnect:
            pass
