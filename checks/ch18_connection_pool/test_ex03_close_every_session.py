"""Checks for chapter 18, exercise 3: every session closed, whichever way a request ends."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from httpx import Response
from sqlalchemy import insert

from checks.ch18_connection_pool.conftest import PoolWatch
from fastlings.testing import Teach, WiredApp, WireFactory

CONCURRENT = 30
PRODUCTS = [
    {"id": 1, "sku": "MUG-01", "name": "Mug", "stock": 1000},
    {"id": 300, "sku": "TEA-300", "name": "Green tea", "stock": 0},
]
Request = tuple[str, Callable[[WiredApp], Awaitable[Response]], int]
# (what, the request, the status it must get)
PATHS: list[Request] = [
    ("GET /products/1", lambda w: w.client.get("/products/1"), 200),
    ("GET /products/999", lambda w: w.client.get("/products/999"), 404),
    (
        "POST /products/1/reserve",
        lambda w: w.client.post("/products/1/reserve", json={"quantity": 1}),
        200,
    ),
    (
        "POST /products/300/reserve (out of stock)",
        lambda w: w.client.post("/products/300/reserve", json={"quantity": 5}),
        409,
    ),
    (
        "POST /products/999/reserve",
        lambda w: w.client.post("/products/999/reserve", json={"quantity": 1}),
        404,
    ),
]


@pytest.fixture
async def shop(
    wire: WireFactory, pool_watch: PoolWatch, sessions_closed_afterwards: None
) -> AsyncIterator[WiredApp]:
    """The app with its own get_db and engine, two products in its database."""
    async with wire(override=False) as wired:
        async with wired.engine.begin() as conn:
            await conn.execute(insert(wired.module.Product.__table__), PRODUCTS)
        yield wired


async def test_found_products_are_served(shop: WiredApp, teach: Teach) -> None:
    response = await shop.client.get("/products/1")
    assert response.status_code == 200 and response.json().get("sku") == "MUG-01", teach(
        f"GET /products/1 answered {response.status_code} {response.text[:200]}.",
        "200 with the mug",
    )
    missing = await shop.client.get("/products/999")
    assert missing.status_code == 404, teach(
        f"GET /products/999 answered {missing.status_code} {missing.text[:200]}.", "404"
    )


async def test_every_path_gives_its_connection_back(
    shop: WiredApp, pool_watch: PoolWatch, teach: Teach
) -> None:
    for what, send, expected in PATHS:
        response = await send(shop)
        assert response.status_code == expected, teach(
            f"{what} answered {response.status_code} {response.text[:200]}.", f"{expected}"
        )
        assert pool_watch.checked_out == 0, teach(
            f"After {what} answered {response.status_code}, {pool_watch.checked_out} "
            "connection(s) were still checked out of the pool, with the response already sent: "
            "probably held by the request's session, which nothing will close now. Two such "
            "requests take the whole pool of 2.",
            "no connection checked out between requests: get_db closes its session on every "
            "way out, also when the endpoint raises (`async with SessionLocal() as session: "
            "yield session`, or try/finally)",
        )


async def test_thirty_concurrent_mixed_requests_all_answer(
    shop: WiredApp, pool_watch: PoolWatch, teach: Teach
) -> None:
    ok = PATHS[0]
    started = time.perf_counter()
    baseline = await asyncio.gather(*(ok[1](shop) for _ in range(CONCURRENT)))
    single = time.perf_counter() - started
    assert all(r.status_code == 200 for r in baseline), teach(
        f"{CONCURRENT} concurrent {ok[0]} answered {sorted({r.status_code for r in baseline})}.",
        "200 each",
    )
    budget = min(max(0.5, 10 * single), 1.5)  # ten times a burst of found products, measured now
    mixed = [PATHS[i % len(PATHS)] for i in range(CONCURRENT)]
    tasks = [asyncio.ensure_future(send(shop)) for _, send, _ in mixed]
    _, pending = await asyncio.wait(tasks, timeout=budget)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    assert not pending, teach(
        f"{CONCURRENT} concurrent requests (found, missing and out-of-stock products) on a pool "
        f"of 2: after {budget:.1f} s (ten times as long as {CONCURRENT} requests for a found "
        f"product took), {len(pending)} had no answer yet, waiting for a connection. "
        f"{pool_watch.checked_out} connection(s) were checked out, probably held by the sessions "
        "of requests that had already answered 404 or 409 (the check above shows which).",
        "every request answered quickly: a session closed on every path gives its connection "
        "back for the next request",
    )
    wrong = [
        (what, task.result().status_code)
        for (what, _, expected), task in zip(mixed, tasks, strict=True)
        if task.result().status_code != expected
    ]
    assert not wrong, teach(
        f"In the burst, these requests got an unexpected status: {wrong[:5]}.",
        "200, 404 and 409 as for the same requests one at a time",
    )
    assert pool_watch.checked_out == 0, teach(
        f"After the burst, {pool_watch.checked_out} connection(s) were still checked out.",
        "every connection back in the pool once the responses are sent",
    )
