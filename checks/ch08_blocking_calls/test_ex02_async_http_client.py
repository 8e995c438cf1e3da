"""Checks for chapter 8, exercise 2: an outgoing HTTP call that does not block the event loop.

The checks start a real exchange-rates service on 127.0.0.1 (a threaded HTTP server) that takes
DELAY seconds per answer, and point the app at it through `RATES_URL`. Any client that waits
without blocking the loop passes: an awaited `httpx.AsyncClient`, or a synchronous client
called from a plain `def` endpoint (FastAPI runs those in a worker thread).
"""

from collections.abc import AsyncIterator, Awaitable, Iterator
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response

from checks.ch08_blocking_calls import _timing as timing
from fastlings.check_services import RatesService, serve_rates
from fastlings.testing import ClientFactory, Teach

RATES = {"EUR": 0.5, "JPY": 150.0}  # unusual rates: the answer must come from this service


@pytest.fixture
def shared_ssl_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every httpx client built during the check shares one default SSL context.

    Building one loads the CA bundle: about 20 ms of CPU per client, more than the service's
    delay here. A client made per request (correct, if wasteful) would then look like a blocked
    loop. The check measures how the app waits, not certificate loading, so it loads them once.
    """
    from httpx._transports import default

    original = default.create_ssl_context  # type: ignore[attr-defined]
    made: dict[tuple[object, ...], Any] = {}

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if not isinstance(verify, bool) or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        key = (verify, trust_env)
        if key not in made:
            made[key] = original(verify=verify, cert=cert, trust_env=trust_env)
        return made[key]

    monkeypatch.setattr(default, "create_ssl_context", shared)


@pytest.fixture
def rates_service(
    monkeypatch: pytest.MonkeyPatch, shared_ssl_context: None
) -> Iterator[RatesService]:
    with serve_rates(RATES) as server:
        monkeypatch.setenv("RATES_URL", server.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy must not intercept it
        yield server


@pytest.fixture
def app_module(rates_service: RatesService, module: ModuleType) -> ModuleType:
    """The learner's module, imported after RATES_URL points at the check's service."""
    return module


@pytest.fixture
async def client(app_module: ModuleType, make_client: ClientFactory) -> AsyncIterator[AsyncClient]:
    async with make_client(app_module.app) as http:
        yield http


def assert_converts(response: Response, currency: str, teach: Teach) -> None:
    request = f"GET /convert?amount=10&currency={currency}"
    assert response.status_code == 200, teach(
        f"{request} answered {response.status_code}: {response.text[:200]}",
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


Measured = timing.Measured[Response]  # the timings of one checks file, kept across its checks


@pytest.fixture(scope="module")
def measured() -> Measured:
    return timing.Measured()


async def test_concurrent_requests_overlap(
    client: AsyncClient, rates_service: RatesService, measured: Measured, teach: Teach
) -> None:
    def send() -> Awaitable[Response]:
        return client.get("/convert", params={"amount": 10, "currency": "EUR"})

    assert_converts(await send(), "EUR", teach)  # correct (and warmed up) before it is timed
    assert rates_service.calls > 0, teach(
        "GET /convert answered without calling the rates service at RATES_URL.",
        "the rate comes from the service, read from RATES_URL",
    )

    rates_service.delay = timing.DELAY
    calls = rates_service.calls
    found = await measured.burst(send)
    rates_service.delay = 0.0
    for response in found.responses:
        assert_converts(response, "EUR", teach)
    assert not timing.too_fast(found.single) and rates_service.calls > calls, teach(
        f"With the rates service taking {timing.DELAY * 1000:.0f} ms, GET /convert answered in "
        f"{found.single * 1000:.0f} ms: it did not ask the service during the request.",
        "a fresh rate from the service for every conversion",
    )
    assert found.ratio < timing.MAX_RATIO, teach(
        f"With the rates service taking {timing.DELAY * 1000:.0f} ms, one GET /convert took "
        f"{found.single * 1000:.0f} ms and {timing.CONCURRENT} concurrent ones "
        f"{found.together * 1000:.0f} ms ({found.ratio:.1f}x): {timing.serialised_cause(found)}.",
        f"about the time of one (under {timing.MAX_RATIO:g}x): `await` an httpx.AsyncClient inside "
        "`async def`, or make the endpoint a plain `def` if the client must stay synchronous",
    )


async def test_event_loop_keeps_ticking(
    client: AsyncClient, rates_service: RatesService, measured: Measured, teach: Teach
) -> None:
    def send() -> Awaitable[Response]:
        return client.get("/convert", params={"amount": 10, "currency": "JPY"})

    rates_service.delay = timing.DELAY
    response, stall = await measured.stall(send)
    rates_service.delay = 0.0
    assert_converts(response, response.url.params.get("currency", "JPY"), teach)
    assert stall < timing.STALL_LIMIT, teach(
        f"While GET /convert ran (the rates service takes {timing.DELAY * 1000:.0f} ms), the event "
        f"loop stood still for {stall * 1000:.0f} ms: no other request, timer or task could run.",
        "the loop never stalls: an awaited httpx.AsyncClient, or a plain `def` endpoint for a "
        "synchronous client",
    )
