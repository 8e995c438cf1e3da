"""Checks for chapter 18, exercise 1: a bounded pool under a burst of requests.

While the burst runs, every statement waits DELAY seconds (an async sleep, the way a busy
server answers), so the 30 requests overlap and each one needs a connection at the same time.
"""

import asyncio
from collections.abc import AsyncIterator

import pytest
from httpx import Response
from sqlalchemy import insert

from checks.ch18_connection_pool.conftest import PoolWatch
from fastlings.testing import Teach, WiredApp, WireFactory

CONCURRENT = 30
DELAY = 0.01
QUOTA = 4  # connections this service may hold: 2 kept open, 2 more under load
PRODUCTS = [
    {"id": 1, "sku": "MUG-01", "name": "Mug", "stock": 12},
    {"id": 300, "sku": "TEA-300", "name": "Tea \\ green", "stock": 0},
]


@pytest.fixture
async def shop(wire: WireFactory, pool_watch: PoolWatch) -> AsyncIterator[WiredApp]:
    """The app with its own get_db and engine, two products in its database."""
    async with wire(override=False) as wired:
        async with wired.engine.begin() as conn:
            await conn.execute(insert(wired.module.Product.__table__), PRODUCTS)
        yield wired


async def burst(shop: WiredApp, watch: PoolWatch) -> tuple[str, list[Response]]:
    path = shop.path("get", "/products")
    await shop.client.get(path)  # the pool's first connection, before the burst is measured
    watch.reset_peaks()
    watch.delay = DELAY
    try:
        responses = await asyncio.gather(*(shop.client.get(path) for _ in range(CONCURRENT)))
    finally:
        watch.delay = 0.0
    return path, list(responses)


async def test_burst_all_succeed(shop: WiredApp, pool_watch: PoolWatch, teach: Teach) -> None:
    path, responses = await burst(shop, pool_watch)
    failed = [r for r in responses if r.status_code != 200]
    expected = [(p["id"], p["sku"]) for p in PRODUCTS]
    wrong = [
        r
        for r in responses
        if r.status_code == 200 and [(p.get("id"), p.get("sku")) for p in r.json()] != expected
    ]
    assert not failed and not wrong, teach(
        f"{CONCURRENT} concurrent GET {path}: {len(failed)} failed "
        f"({failed[0].status_code if failed else ''} {failed[0].text[:120] if failed else ''}), "
        f"{len(wrong)} answered other products.",
        "all 200 with the products: a request that finds every connection busy waits for one "
        "(pool_timeout of a few seconds), it does not fail",
    )
    assert pool_watch.checked_out == 0, teach(
        f"After the burst, {pool_watch.checked_out} connection(s) were still checked out.",
        "every connection back in the pool once the responses are sent",
    )


async def test_burst_stays_within_four_connections(
    shop: WiredApp, pool_watch: PoolWatch, teach: Teach
) -> None:
    path, _ = await burst(shop, pool_watch)
    peak = pool_watch.peak_open
    assert peak <= QUOTA, teach(
        f"During {CONCURRENT} concurrent GET {path} (every statement taking {DELAY * 1000:.0f} "
        f"ms), the app had {peak} database connections open at once.",
        f"at most {QUOTA} (the service's quota): a pool with pool_size=2 and max_overflow=2 "
        "(NullPool opens one per request; the default pool allows 5 + 10)",
    )
    pool = type(shop.module.engine.pool).__name__
    assert peak >= 2, teach(
        f"During {CONCURRENT} concurrent GET {path}, the app never had more than {peak} "
        f"connection open (its engine's pool is a {pool}): every request went through that one.",
        f"the quota used: up to {QUOTA} connections side by side under a burst",
    )
