"""Tests of the chapter 23 worked example (the price ticker)."""

import asyncio
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from lessons.examples.ch23_streaming_sse import ticker


@pytest.fixture
def exchange() -> ticker.Exchange:
    return ticker.Exchange(live_limit=3)


@pytest.fixture
async def client(exchange: ticker.Exchange) -> AsyncIterator[AsyncClient]:
    ticker.app.dependency_overrides[ticker.get_exchange] = lambda: exchange
    transport = ASGITransport(app=ticker.app)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    ticker.app.dependency_overrides.clear()


def events(text: str) -> list[dict[str, str]]:
    found = []
    for frame in text.split("\n\n"):
        if frame:
            found.append(dict(line.split(": ", 1) for line in frame.splitlines()))
    return found


async def test_history_is_a_streamed_csv(client: AsyncClient) -> None:
    response = await client.get("/prices/ACME/history.csv")
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "seq,symbol,price"
    assert lines[1:] == [f"{n},ACME,{90 + n:.1f}" for n in range(1, 6)]


async def test_events_are_framed_with_ids(client: AsyncClient) -> None:
    response = await client.get("/prices/ACME/events")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    found = events(response.text)
    assert [e["id"] for e in found] == ["1", "2", "3", "4", "5"]
    assert {e["event"] for e in found} == {"quote"}
    assert json.loads(found[0]["data"]) == {"seq": 1, "symbol": "ACME", "price": 91.0}


async def test_a_reconnecting_client_resumes_after_its_last_event(client: AsyncClient) -> None:
    response = await client.get("/prices/ACME/events", headers={"Last-Event-ID": "3"})
    assert [e["id"] for e in events(response.text)] == ["4", "5"]


async def test_live_feed_closes_its_subscription(
    client: AsyncClient, exchange: ticker.Exchange
) -> None:
    response = await client.get("/prices/ACME/live")
    assert [json.loads(e["data"])["seq"] for e in events(response.text)] == [1, 2, 3]
    assert [s.closed for s in exchange.subscriptions] == [True]


def test_openapi_documents_the_event_streams() -> None:
    paths = ticker.app.openapi()["paths"]
    for path in ("/prices/{symbol}/events", "/prices/{symbol}/live"):
        assert "text/event-stream" in paths[path]["get"]["responses"]["200"]["content"]


async def test_a_hang_up_cancels_the_live_feed_and_closes_the_subscription() -> None:
    # httpx's ASGITransport hands over a body only when it is complete, so this test speaks
    # ASGI itself: it hangs up (http.disconnect) after the first event of an endless feed.
    exchange = ticker.Exchange(live_limit=None)
    ticker.app.dependency_overrides[ticker.get_exchange] = lambda: exchange
    hung_up = asyncio.Event()
    requested: list[bool] = []
    bodies: list[bytes] = []

    async def receive() -> MutableMapping[str, Any]:
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await hung_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            bodies.append(message["body"])
            hung_up.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},  # as uvicorn says
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/prices/ACME/live",
        "raw_path": b"/prices/ACME/live",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    try:
        await asyncio.wait_for(ticker.app(scope, receive, send), timeout=2)
    finally:
        ticker.app.dependency_overrides.clear()
    assert len(bodies) >= 1
    assert [s.closed for s in exchange.subscriptions] == [True]
