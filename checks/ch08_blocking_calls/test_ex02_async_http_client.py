"""Checks for chapter 8, exercise 2: an outgoing HTTP call that does not block the event loop.

The checks start a real exchange-rates service on 127.0.0.1 (a threaded HTTP server) that takes
DELAY seconds per answer, and point the app at it through `RATES_URL`. Any client that waits
without blocking the loop passes: an awaited `httpx.AsyncClient`, or a synchronous client
called from a plain `def` endpoint (FastAPI runs those in a worker thread).
"""

import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType

import pytest
from httpx import AsyncClient, Response

from checks.ch08_blocking_calls.concurrency import (
    CONCURRENT,
    MAX_RATIO,
    heartbeat,
    one_then_many,
)
from fastlings.testing import ClientFactory

Teach = Callable[[str, str], str]
DELAY = 0.25  # seconds the rates service takes per answer while it is slow
RATES = {"EUR": 0.5, "JPY": 150.0}  # unusual rates: the answer must come from this service


class RatesService(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the default backlog of 5 drops concurrent connects (1 s retry)
    delay = 0.0
    calls = 0


class RatesHandler(BaseHTTPRequestHandler):
    server: RatesService

    def do_GET(self) -> None:  # the name http.server dispatches GET requests to
        self.server.calls += 1
        time.sleep(self.server.delay)  # the service thinks; this thread is the service's
        currency = self.path.rstrip("/").rsplit("/", 1)[-1]
        if not self.path.startswith("/rates/") or currency not in RATES:
            self.send_error(404)
            return
        body = json.dumps({"currency": currency, "rate": RATES[currency]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the check's output clean


@pytest.fixture
def rates_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[RatesService]:
    server = RatesService(("127.0.0.1", 0), RatesHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    monkeypatch.setenv("RATES_URL", f"http://{host!s}:{port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy must not intercept it
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def app_module(rates_service: RatesService, module: ModuleType) -> ModuleType:
    """The learner's module, imported after RATES_URL points at the check's service."""
    return module


@pytest.fixture
async def client(app_module: ModuleType, make_client: ClientFactory) -> AsyncIterator[AsyncClient]:
    async with make_client(app_module.app) as http:
        yield http


def crashed(response: Response) -> str:
    if response.status_code != 500:
        return f": {response.text[:200]}"
    return " (an exception in the endpoint; a coroutine that was never awaited is a common cause)"


def assert_converts(response: Response, currency: str, teach: Teach) -> None:
    request = f"GET /convert?amount=10&currency={currency}"
    assert response.status_code == 200, teach(
        f"{request} answered {response.status_code}{crashed(response)}",
        "200 with the conversion; inside `async def`, await the client "
        "(`rate = await fetch_rate(...)`, `response = await client.get(...)`)",
    )
    body = response.json()
    expected = {"amount": 10.0, "currency": currency, "rate": RATES[currency]}
    expected["converted"] = 10.0 * RATES[currency]
    assert body == expected, teach(
        f"{request} answered {body!r}.",
        f"{expected}, with the rate the rates service at RATES_URL gave",
    )


async def test_concurrent_requests_overlap(
    client: AsyncClient, rates_service: RatesService, teach: Teach
) -> None:
    def send() -> Awaitable[Response]:
        return client.get("/convert", params={"amount": 10, "currency": "EUR"})

    assert_converts(await send(), "EUR", teach)  # correct (and warmed up) before it is timed
    assert rates_service.calls > 0, teach(
        "GET /convert answered without calling the rates service at RATES_URL.",
        "the rate comes from the service, read from RATES_URL",
    )

    rates_service.delay = DELAY
    for _attempt in range(2):  # a second try absorbs one stall of a busy machine
        first, many, single, together = await one_then_many(send)
        if together / single < MAX_RATIO:
            break
    for response in (first, *many):
        assert_converts(response, "EUR", teach)
    ratio = together / single
    assert ratio < MAX_RATIO, teach(
        f"With the rates service taking {DELAY:g} s, one GET /convert took {single:.2f} s and "
        f"{CONCURRENT} concurrent ones took {together:.2f} s ({ratio:.1f}x): they ran one after "
        "another, because each call to the service blocked the event loop.",
        f"about the time of one (under {MAX_RATIO:g}x): `await` an httpx.AsyncClient inside "
        "`async def`, or make the endpoint a plain `def` if the client must stay synchronous",
    )


async def test_event_loop_keeps_ticking(
    client: AsyncClient, rates_service: RatesService, teach: Teach
) -> None:
    rates_service.delay = DELAY
    for _attempt in range(3):  # a busy machine can stall any loop once; judge the calmest run
        async with heartbeat() as loop:
            response = await client.get("/convert", params={"amount": 10, "currency": "JPY"})
        if loop.longest_stall < DELAY / 2:
            break
    assert_converts(response, "JPY", teach)
    assert loop.longest_stall < DELAY / 2, teach(
        f"During one GET /convert (the rates service takes {DELAY:g} s), the event loop stood "
        f"still for {loop.longest_stall * 1000:.0f} ms: no other request, timer or task could run.",
        "the loop never stalls: an awaited httpx.AsyncClient, or a plain `def` endpoint for a "
        "synchronous client",
    )
