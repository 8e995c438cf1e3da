"""Checks for chapter 24, exercise 1: members who leave are removed, and the chat goes on.

Three members join `/ws/chat` through an in-process WebSocket client (`_ws.py`); one closes
their socket the way a closing browser tab does. A handler's ending is what its socket shows
once the client has gone: it returned, or which exception ended it (`Closed.reason`).
"""

import asyncio
import time

from checks.ch24_websockets._ws import QUIET, Chat, Closed, OpenChat, Socket, describe
from fastlings.testing import Teach

HANDLER_ENDED = 0.02  # seconds to wait for a handler's ending that should already be queued


async def online_after_leaving(chat: Chat, expected: list[str]) -> tuple[list[str] | None, float]:
    """`GET /chat/online`, asked again (five times, 10 ms apart) until it shows `expected`; the
    last answer and how many seconds after the first question it came. A server notices a
    leave within a turn or two of its event loop, and each pause gives it many."""
    names, start = None, time.perf_counter()
    for _ in range(5):
        response = await chat.http.get("/chat/online")
        names = response.json() if response.status_code == 200 else None
        if names == expected:
            break
        await asyncio.sleep(0.01)
    return names, time.perf_counter() - start


async def how_the_handler_ended(socket: Socket, who: str) -> str:
    """What the handler of a socket whose client left did: raised, returned, or still runs.
    Asked after `online_after_leaving`'s pauses: an ended handler's ending is queued by then."""
    seen = await socket.receive(wait=HANDLER_ENDED)
    ending = ending_of(seen, who)
    return f"{ending}, and nothing it ran removed {who}" if isinstance(seen, Closed) else ending


def ending_of(seen: object, who: str) -> str:
    """Words for what a handler whose client left did, from what its socket showed."""
    if isinstance(seen, Closed) and seen.reason.startswith("the app raised "):
        return f"{who}'s handler ended by raising {seen.reason.removeprefix('the app raised ')}"
    if isinstance(seen, Closed) and seen.reason == "the handler returned without closing":
        return f"{who}'s handler returned normally"
    if seen is None:
        return f"{who}'s handler was still running"
    return f"{who}'s connection then showed {describe(seen)}"


def ended_with_its_connection(seen: object) -> bool:
    """The handler of a socket whose client left returned, or the WebSocketDisconnect that
    told it so ended it: either way it stopped using the connection."""
    return isinstance(seen, Closed) and (
        seen.reason == "the handler returned without closing"
        or seen.reason.startswith("the app raised WebSocketDisconnect(")  # not ...Disconnected
    )


async def ending_after_messages(socket: Socket) -> object:
    """What a socket whose client left shows once the messages still queued for it (an app may
    also send a member their own words) are read: its `Closed`, or None if none came."""
    for _ in range(3):
        seen = await socket.receive(wait=HANDLER_ENDED)
        if seen is None or isinstance(seen, Closed):
            return seen
    return seen


async def test_messages_reach_everyone_else(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        ada = await chat.open("/ws/chat?name=ada")
        bob = await chat.open("/ws/chat?name=bob")
        cy = await chat.open("/ws/chat?name=cy")
        await ada.send_json({"text": "deploy at 5 \\o/"})
        for name, ws in (("bob", bob), ("cy", cy)):
            seen = await ws.receive()
            assert seen == {"user": "ada", "text": "deploy at 5 \\o/"}, teach(
                f"After ada sent {{'text': 'deploy at 5 \\\\o/'}}, {name} received "
                f"{describe(seen)}.",
                "every other member receives {'user': 'ada', 'text': ...}",
            )
        response = await chat.http.get("/chat/online")
        assert response.status_code == 200 and response.json() == ["ada", "bob", "cy"], teach(
            f"With ada, bob and cy connected, GET /chat/online answered {response.status_code} "
            f"{response.text[:200]}",
            "['ada', 'bob', 'cy']",
        )


async def test_a_member_who_leaves_is_no_longer_online(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        await chat.open("/ws/chat?name=ada")
        bob = await chat.open("/ws/chat?name=bob")
        await chat.open("/ws/chat?name=cy")
        await bob.leave()
        names, later = await online_after_leaving(chat, ["ada", "cy"])
        ending = "" if names == ["ada", "cy"] else await how_the_handler_ended(bob, "bob")
        assert names == ["ada", "cy"], teach(
            f"bob closed his connection; GET /chat/online still answered {names!r} "
            f"{later * 1000:.0f} ms later; {ending}.",
            "['ada', 'cy']: however a connection ends (`receive_json` raises WebSocketDisconnect "
            "when the client closes), remove the member from the lobby",
        )


async def test_a_member_who_spoke_and_left_is_heard_once_and_done(
    open_chat: OpenChat, teach: Teach
) -> None:
    async with open_chat() as chat:
        ada = await chat.open("/ws/chat?name=ada")
        bob = await chat.open("/ws/chat?name=bob")
        await bob.send_json({"text": "bye all"})
        heard = [await ada.receive()]
        await bob.leave()
        await online_after_leaving(chat, ["ada"])  # give the server time to notice
        heard.append(await ada.receive(wait=QUIET))
        bob_seen = await ending_after_messages(bob)
        ending = ending_of(bob_seen, "bob")
        bye = {"user": "bob", "text": "bye all"}
        assert heard == [bye, None], teach(
            f"bob sent {{'text': 'bye all'}} and closed his connection; ada received "
            f"{describe(heard[0])}, then {describe(heard[1])}; {ending}.",
            f"ada receives {bye} once: once bob's connection has ended, his handler sends "
            "nothing more",
        )
        assert ended_with_its_connection(bob_seen), teach(
            f"bob closed his connection (after ada heard him once); {ending}.",
            "the handler ends with its connection: leave the receive loop when `receive_json` "
            "raises WebSocketDisconnect (return, `break`, or let the exception end it); a "
            "removal in `finally` runs either way",
        )


async def test_the_chat_goes_on_after_someone_leaves(open_chat: OpenChat, teach: Teach) -> None:
    async with open_chat() as chat:
        ada = await chat.open("/ws/chat?name=ada")
        bob = await chat.open("/ws/chat?name=bob")
        cy = await chat.open("/ws/chat?name=cy")
        await bob.leave()
        await online_after_leaving(chat, ["ada", "cy"])  # give the server time to notice
        for text in ("is bob gone?", "yes"):
            await ada.send_json({"text": text})
            seen = await cy.receive()
            if seen != {"user": "ada", "text": text}:
                ada_seen = await ada.receive(wait=QUIET)
                assert seen == {"user": "ada", "text": text}, teach(
                    f"After bob left, ada sent {text!r}; cy received {describe(seen)}; for ada, "
                    f"{describe(ada_seen)}.",
                    "cy receives every message and ada stays connected: nothing is sent to a "
                    "member who left",
                )
        ada_seen = await ada.receive(wait=QUIET)
        assert not isinstance(ada_seen, Closed), teach(
            f"After bob left and ada spoke, {describe(ada_seen)} of ada.",
            "ada stays connected: remove members when their connection ends",
        )
