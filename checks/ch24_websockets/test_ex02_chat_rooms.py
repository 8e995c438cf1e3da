"""Checks for chapter 24, exercise 2: a message reaches its room's other members, nobody else.

Members join rooms through in-process WebSocket clients (`_ws.py`). One person holds two
connections (one per room), and a room's name is the prefix of another's (`ops`, `ops-eu`).
"""

import asyncio

from checks.ch24_websockets._ws import QUIET, Chat, OpenChat, Socket, describe
from fastlings.testing import Teach


async def silent(sockets: dict[str, Socket]) -> dict[str, str]:
    """What each socket received within QUIET seconds, for those that received anything."""
    seen = await asyncio.gather(*(s.receive(wait=QUIET) for s in sockets.values()))
    return {who: describe(got) for who, got in zip(sockets, seen, strict=True) if got is not None}


async def members(chat: Chat, room: str) -> object:
    response = await chat.http.get(f"/rooms/{room}/members")
    return response.json() if response.status_code == 200 else response.status_code


async def test_message_reaches_the_rooms_other_members(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        ada = await chat.open("/ws/rooms/ops?name=ada")
        bob = await chat.open("/ws/rooms/ops?name=bob")
        await ada.send_json({"text": "rollback?"})
        seen = await bob.receive()
        # when bob heard nothing, what ada's own connection shows (her handler may have raised)
        sender = (
            ""
            if seen is not None
            else f"; ada's connection: {describe(await ada.receive(wait=QUIET))}"
        )
        assert seen == {"room": "ops", "user": "ada", "text": "rollback?"}, teach(
            f"ada sent {{'text': 'rollback?'}} in room ops; bob, also in ops, received "
            f"{describe(seen)}{sender}.",
            "{'room': 'ops', 'user': 'ada', 'text': 'rollback?'}",
        )
        listed = await members(chat, "ops")
        assert listed == ["ada", "bob"], teach(
            f"GET /rooms/ops/members answered {listed!r}.", "['ada', 'bob']"
        )


async def test_other_rooms_hear_nothing(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        ada_ops = await chat.open("/ws/rooms/ops?name=ada")
        bob = await chat.open("/ws/rooms/ops?name=bob")
        ada_sales = await chat.open("/ws/rooms/sales?name=ada")
        cy = await chat.open("/ws/rooms/sales?name=cy")
        dee = await chat.open("/ws/rooms/ops-eu?name=dee")

        await ada_ops.send_json({"text": "ops only"})
        seen = await bob.receive()
        assert seen == {"room": "ops", "user": "ada", "text": "ops only"}, teach(
            f"ada sent 'ops only' in ops; bob (in ops) received {describe(seen)}.",
            "bob receives it",
        )
        leaked = await silent(
            {"cy (sales)": cy, "ada's sales connection": ada_sales, "dee (ops-eu)": dee}
        )
        assert not leaked, teach(
            f"ada sent 'ops only' in room ops, and members of other rooms received it: {leaked}.",
            "only the other members of ops receive it: send to the connections of that room",
        )

        await cy.send_json({"text": "sales only"})
        seen = await ada_sales.receive()
        assert seen == {"room": "sales", "user": "cy", "text": "sales only"}, teach(
            f"cy sent 'sales only' in sales; ada's sales connection received {describe(seen)}.",
            "ada's sales connection receives it",
        )
        leaked = await silent(
            {"bob (ops)": bob, "ada's ops connection": ada_ops, "dee (ops-eu)": dee}
        )
        assert not leaked, teach(
            f"cy sent 'sales only' in room sales, and others received it: {leaked}.",
            "only the other members of sales receive it",
        )


async def test_rooms_list_only_rooms_with_members(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        await chat.open("/ws/rooms/ops?name=ada")
        await chat.open("/ws/rooms/ops?name=bob")
        cy = await chat.open("/ws/rooms/sales?name=cy")
        response = await chat.http.get("/rooms")
        assert response.status_code == 200 and response.json() == ["ops", "sales"], teach(
            f"With members in ops and sales, GET /rooms answered {response.status_code} "
            f"{response.text[:200]}",
            "['ops', 'sales']",
        )
        await cy.leave()
        listed: object = None
        for _ in range(5):  # give the server five pauses to notice the leave (a turn will do)
            response = await chat.http.get("/rooms")
            listed = response.json() if response.status_code == 200 else response.status_code
            if listed == ["ops"]:
                break
            await asyncio.sleep(0.01)
        assert listed == ["ops"], teach(
            f"cy, the only member of sales, left; GET /rooms still answered {listed!r}.",
            "['ops']: a room whose last member leaves is no longer listed",
        )
        assert await members(chat, "ops") == ["ada", "bob"], teach(
            f"GET /rooms/ops/members answered {await members(chat, 'ops')!r}.", "['ada', 'bob']"
        )
        nobody = await members(chat, "nowhere")  # asking about a room must not create it
        response = await chat.http.get("/rooms")
        assert nobody == [] and response.json() == ["ops"], teach(
            f"GET /rooms/nowhere/members answered {nobody!r}; then GET /rooms answered "
            f"{response.text[:200]}",
            "[] for a room nobody is in, and GET /rooms still ['ops']",
        )
