"""Checks for chapter 24, exercise 3: a socket proves who it is before it joins a room.

`get_tokens` is replaced by the check's own token store. Sockets are in-process clients
(`_ws.py`). The chosen refusal is close code 1008 (policy violation), sent after accepting, so
that a real client can read it.
"""

import asyncio
from types import ModuleType

import pytest

from checks.ch24_websockets._ws import (
    ARRIVE,
    QUIET,
    Chat,
    Closed,
    OpenChat,
    Socket,
    describe,
    handshake_answer,
)
from fastlings.testing import Teach, require

TOKENS = {"t-ada-512": "ada", "t-bob-900": "bob"}


class CheckTokens:
    def __init__(self) -> None:
        self.asked: list[object] = []

    def user_for(self, token: str) -> str | None:
        self.asked.append(token)
        return TOKENS.get(token)


@pytest.fixture
def tokens(module: ModuleType, lesson: str) -> CheckTokens:
    get_tokens = require(module, "get_tokens", "the `get_tokens` dependency", lesson)
    store = CheckTokens()
    module.app.dependency_overrides[get_tokens] = lambda: store
    return store


async def join(
    chat: Chat, path: str, token: str, teach: Teach, user: str, tokens: CheckTokens
) -> Socket:
    socket = await chat.connect(path)
    assert socket.closed is None, teach(
        f"A socket to {path} was refused during the handshake, before the check could send "
        f"{user}'s token as its first message: {describe(socket.closed)}"
        f"{handshake_answer(socket.closed)}.",
        "the app accepts the connection (`await websocket.accept()`), then reads the token from "
        "its first message, and closes it with 1008 only after that",
    )
    await socket.send_json({"token": token})
    welcome = await socket.receive()
    unasked = ""
    if token not in tokens.asked:
        unasked = (
            f"; the token store that `Depends(get_tokens)` gives the endpoint (the check "
            f"overrides it) was never asked about {token!r}"
        )
    assert welcome == {"joined": "ops", "user": user}, teach(
        f"A socket to {path} sent a valid token of {user}'s first; it then received "
        f"{describe(welcome)}{unasked}.",
        f"{{'joined': 'ops', 'user': '{user}'}}: the name comes from the token",
    )
    return socket


def refused(seen: object) -> bool:
    return isinstance(seen, Closed) and seen.code == 1008


async def test_a_token_decides_who_joins(
    open_chat: OpenChat, tokens: CheckTokens, teach: Teach
) -> None:
    async with open_chat() as chat:
        ada = await join(chat, "/ws/rooms/ops?name=mallory", "t-ada-512", teach, "ada", tokens)
        bob = await join(chat, "/ws/rooms/ops", "t-bob-900", teach, "bob", tokens)
        await ada.send_json({"text": "hi bob"})
        seen = await bob.receive()
        assert seen == {"room": "ops", "user": "ada", "text": "hi bob"}, teach(
            f"ada (who claimed ?name=mallory) sent 'hi bob'; bob received {describe(seen)}.",
            "{'room': 'ops', 'user': 'ada', 'text': 'hi bob'}: the token's user, not the name "
            "the client claims",
        )
        assert "t-ada-512" in tokens.asked, teach(
            f"The token store from `get_tokens` was asked about {tokens.asked!r}.",
            "each token looked up in the store the endpoint gets through `Depends(get_tokens)`",
        )


# First messages that must not let a socket in: none, a prefix of a real token, an empty one,
# one of the wrong type, and a real token sent as bare text instead of JSON.
INVALID: list[object] = [
    {"text": "let me in"},
    {"token": "t-ada-51"},
    {"token": ""},
    {"token": ["t-ada-512"]},
    "t-ada-512",
]


async def first_messages(socket: Socket) -> list[object]:
    """What a socket receives, up to its close (or a pause, or three messages): the first may
    take ARRIVE seconds, those that follow it are sent at once if at all."""
    received: list[object] = []
    for number in range(3):
        seen = await socket.receive(wait=ARRIVE if number == 0 else QUIET)
        received.append(seen)
        if seen is None or isinstance(seen, Closed):
            break
    return received


async def test_no_valid_token_is_refused_and_hears_nothing(
    open_chat: OpenChat, tokens: CheckTokens, teach: Teach
) -> None:
    async with open_chat() as chat:
        bob = await chat.open("/ws/rooms/ops")  # a member (his welcome is checked elsewhere)
        await bob.send_json({"token": "t-bob-900"})
        await bob.receive()
        eves = [await chat.open("/ws/rooms/ops?name=bob") for _ in INVALID]
        await bob.send_json({"text": "the deploy key is in the vault"})
        for eve, first in zip(eves, INVALID, strict=True):
            if isinstance(first, str):
                await eve.send_text(first)
            else:
                await eve.send_json(first)
        outcomes = await asyncio.gather(*(first_messages(eve) for eve in eves))
        for first, received in zip(INVALID, outcomes, strict=True):
            assert refused(received[0]), teach(
                f"A socket whose first message was {first!r} received: "
                f"{'; '.join(describe(s) for s in received)}.",
                "the server closes it with code 1008 (policy violation) before anything "
                "reaches it: it never joins, and it hears nothing of the room",
            )
        heard = await bob.receive(wait=QUIET)
        assert heard is None, teach(
            f"After sockets without a valid token connected, bob received {describe(heard)}.",
            "nothing: a refused socket takes no part in the room",
        )
        # A refused socket that was still added to the room makes the next broadcast send to a
        # closed connection, which fails in the sender's handler.
        ada = await join(chat, "/ws/rooms/ops", "t-ada-512", teach, "ada", tokens)
        await bob.send_json({"text": "still there, ada?"})
        seen = await ada.receive()
        expected = {"room": "ops", "user": "bob", "text": "still there, ada?"}
        bob_seen = None if seen == expected else await bob.receive(wait=QUIET)
        assert seen == expected, teach(
            f"After the refused sockets were closed, ada joined and bob sent 'still there, "
            f"ada?'; ada received {describe(seen)}; for bob, {describe(bob_seen)}.",
            f"ada receives {expected}: a refused socket never joins the room, so no broadcast "
            "meets its closed connection",
        )


async def test_a_silent_socket_is_closed(
    open_chat: OpenChat,
    tokens: CheckTokens,
    module: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    require(module, "AUTH_SECONDS", "the `AUTH_SECONDS` setting", lesson)
    monkeypatch.setattr(module, "AUTH_SECONDS", 0.05)
    async with open_chat() as chat:
        quiet = await chat.open("/ws/rooms/ops")
        seen = await quiet.receive(wait=0.05 + ARRIVE)
        assert refused(seen), teach(
            f"A socket that sent nothing for {0.05 + ARRIVE:g} s (AUTH_SECONDS set to 0.05) "
            f"received {describe(seen)}.",
            "closed with 1008 once AUTH_SECONDS pass without a token: wait for the first "
            "message under `asyncio.timeout(AUTH_SECONDS)`",
        )
