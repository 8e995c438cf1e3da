"""Tests of the chapter 24 worked example (the support desk), with Starlette's TestClient.

`TestClient.websocket_connect` runs the app in a thread of its own and blocks until a message
arrives: fine for these conversations, where every expected message does arrive.
"""

import json
import warnings
from collections.abc import Iterator

import pytest
from starlette.websockets import WebSocketDisconnect

from lessons.examples.ch24_websockets import support

# Starlette 1.10's TestClient prefers the `httpx2` package and warns, on import, when it runs
# on httpx, which is what this course installs; the warning says nothing about the code here.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(support.app) as http:
        yield http


def hello(token: str) -> str:
    return json.dumps({"token": token})


def test_participants_of_a_ticket_talk_and_others_do_not_hear(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws/tickets/7") as grace,
        client.websocket_connect("/ws/tickets/7") as linus,
        client.websocket_connect("/ws/tickets/8") as other,
    ):
        grace.send_text(hello("agent-token-1"))
        assert grace.receive_json() == {"ticket": 7, "you": "Grace"}
        linus.send_text(hello("customer-token-9"))
        assert linus.receive_json() == {"ticket": 7, "you": "Linus"}
        other.send_text(hello("customer-token-9"))
        assert other.receive_json() == {"ticket": 8, "you": "Linus"}
        assert client.get("/tickets/7/present").json() == ["Grace", "Linus"]

        linus.send_text("my printer is on fire")
        assert grace.receive_json() == {
            "from": "Linus",
            "role": "customer",
            "text": "my printer is on fire",
        }
        other.send_text("ticket 8 here")  # only ticket 8's participants would hear it
        grace.send_text("on my way")
        assert linus.receive_json()["text"] == "on my way"  # not "ticket 8 here"


@pytest.mark.parametrize("first", ['{"token": "guess"}', '{"name": "Grace"}', "agent-token-1"])
def test_a_socket_that_cannot_say_who_it_is_is_closed_with_1008(
    client: TestClient, first: str
) -> None:
    with client.websocket_connect("/ws/tickets/7") as ws:
        ws.send_text(first)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008
    assert client.get("/tickets/7/present").json() == []


def test_leaving_removes_the_participant(client: TestClient) -> None:
    with client.websocket_connect("/ws/tickets/3") as grace:
        grace.send_text(hello("agent-token-1"))
        grace.receive_json()
        with client.websocket_connect("/ws/tickets/3") as linus:
            linus.send_text(hello("customer-token-9"))
            linus.receive_json()
            assert client.get("/tickets/3/present").json() == ["Grace", "Linus"]
        grace.send_text("still there?")  # the broadcast meets no closed socket
        assert client.get("/tickets/3/present").json() == ["Grace"]
    assert client.get("/tickets/3/present").json() == []
