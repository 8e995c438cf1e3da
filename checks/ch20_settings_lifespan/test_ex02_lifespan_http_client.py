"""Checks for chapter 20, exercise 2: an HTTP client created at start-up, closed at shutdown.

A real rates service runs on 127.0.0.1 and `SHOP_RATES_URL` points at it. The `spy` fixture
(conftest.py) records every `httpx.AsyncClient` the learner's file creates, and when: while
the module is imported, while the app starts, during requests, or while it stops.
"""

from types import ModuleType

import pytest
from httpx import Response

from checks.ch20_settings_lifespan.conftest import Spy
from fastlings.check_services import RatesService
from fastlings.testing import ClientFactory, Teach

# Every check runs with the fake rates service up, SHOP_RATES_URL pointing at it before the
# module is imported.
pytestmark = pytest.mark.usefixtures("rates_service")

EXPECTED = {"amount": 10.0, "currency": "JPY", "rate": 150.0, "converted": 1500.0}


def converts(response: Response, teach: Teach) -> None:
    assert response.status_code == 200 and response.json() == EXPECTED, teach(
        f"GET /convert?amount=10&currency=JPY answered {response.status_code} "
        f"{response.text[:200]}.",
        f"200 {EXPECTED}, with the rate from the service at SHOP_RATES_URL",
    )


async def convert(client: object) -> Response:
    return await client.get("/convert", params={"amount": 10, "currency": "JPY"})  # type: ignore[attr-defined, no-any-return]


async def test_conversion_uses_the_rates_service(
    rates_service: RatesService, app_module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    async with make_client(app_module.app) as client:
        converts(await convert(client), teach)
    assert rates_service.calls > 0, teach(
        "GET /convert answered without calling the rates service at SHOP_RATES_URL.",
        "the rate comes from the service",
    )


async def test_client_is_created_at_startup(
    app_module: ModuleType, spy: Spy, make_client: ClientFactory, teach: Teach
) -> None:
    at_import = spy.of("client", "import")
    assert not at_import, teach(
        f"An httpx.AsyncClient was created while the module was imported (line "
        f"{at_import[0].line}): every import builds one, from the settings of that moment, and "
        "no one is there to close it.",
        "the client is created in the app's lifespan, before `yield`, and reached through "
        "app.state or a dependency",
    )
    spy.phase = "startup"
    async with make_client(app_module.app) as client:
        spy.phase = "requests"
        for _ in range(3):
            converts(await convert(client), teach)
    spy.phase = "shutdown"
    at_startup = spy.of("client", "startup")
    per_request = spy.of("client", "requests")
    assert not per_request, teach(
        f"While serving three GET /convert requests, the app created {len(per_request)} "
        "httpx.AsyncClient(s) (line " + str(per_request[0].line if per_request else "?") + "): "
        "a client made on demand is never closed by the app, and one per request opens a new "
        "connection every time.",
        "one client for the app's lifetime, created when the app starts (in the lifespan)",
    )
    assert len(at_startup) == 1, teach(
        f"The app's start-up created {len(at_startup)} httpx.AsyncClient(s).",
        "exactly one, created in the lifespan before `yield`",
    )


async def test_client_is_closed_at_shutdown(
    app_module: ModuleType, spy: Spy, make_client: ClientFactory, teach: Teach
) -> None:
    async with make_client(app_module.app) as client:
        converts(await convert(client), teach)
        clients = spy.of("client")
        assert clients and not any(c.obj.is_closed for c in clients), teach(
            f"While the app was running, its {len(clients)} httpx.AsyncClient(s) were "
            f"{['closed' if c.obj.is_closed else 'open' for c in clients]}.",
            "one open client while the app runs",
        )
    still_open = [c for c in clients if not c.obj.is_closed]
    where = ", ".join(f"created at line {c.line}" for c in still_open)
    assert not still_open, teach(
        f"After the app's lifespan ended, {len(still_open)} httpx.AsyncClient(s) were still "
        f"open ({where}): their connections outlive the app.",
        "the lifespan closes the client after `yield` (`async with httpx.AsyncClient(...) as "
        "client:` around the `yield` does it, even on errors)",
    )
