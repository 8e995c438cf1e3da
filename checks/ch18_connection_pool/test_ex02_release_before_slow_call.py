"""Checks for chapter 18, exercise 2: no connection held through a slow call to another service.

The check replaces `reserve_stock` (the warehouse call) with a stand-in that notes how many
connections the app holds when the call begins. In the burst, the stand-in also waits, up to
WINDOW seconds, until all requests are inside it: requests that each hold a connection through
the call cannot all get there with a pool of 2, so the number inside at once shows whether the
connections were given back.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from httpx import Response
from sqlalchemy import func, insert, select

from checks.ch18_connection_pool.conftest import PoolWatch
from fastlings.testing import Teach, WiredApp, WireFactory

CONCURRENT = 30
WINDOW = 0.5  # seconds the stand-in waits for every request of the burst to arrive
TOGETHER = 10  # requests inside the call at once that no pool of 2 allows while holding them


class Warehouse:
    """A stand-in for `reserve_stock` that notes the connections held when it is called."""

    def __init__(self, watch: PoolWatch) -> None:
        self.watch = watch
        self.held: list[int] = []
        self.inside = 0
        self.peak_inside = 0
        self.expected = 1
        self.gate = asyncio.Event()
        self.gate.set()
        self.deadline = 0.0

    def gather_until(self, expected: int) -> None:
        """From now on, callers wait (until `expected` are inside, or WINDOW has passed)."""
        self.expected = expected
        self.gate.clear()
        self.deadline = asyncio.get_running_loop().time() + WINDOW

    async def reserve_stock(self, sku: str, quantity: int) -> str:
        self.held.append(self.watch.checked_out)
        self.inside += 1
        self.peak_inside = max(self.peak_inside, self.inside)
        try:
            if self.inside >= self.expected:
                self.gate.set()
            remaining = self.deadline - asyncio.get_running_loop().time()
            if not self.gate.is_set() and remaining > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.gate.wait(), timeout=remaining)
            self.gate.set()  # one-shot: once open (or too late), nobody waits any more
            await asyncio.sleep(0)
        finally:
            self.inside -= 1
        return f"W-{sku}-{quantity}"


@pytest.fixture
async def shop(
    wire: WireFactory,
    pool_watch: PoolWatch,
    sessions_closed_afterwards: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[WiredApp, Warehouse]]:
    """The app with its own get_db and engine, one product, and the stand-in warehouse."""
    async with wire(override=False) as wired:
        warehouse = Warehouse(pool_watch)
        monkeypatch.setattr(wired.module, "reserve_stock", warehouse.reserve_stock)
        async with wired.engine.begin() as conn:
            await conn.execute(
                insert(wired.module.Product.__table__),
                [{"id": 300, "sku": "TEA-300", "name": "Green tea"}],
            )
        yield wired, warehouse


async def order(wired: WiredApp, quantity: int = 2, product_id: int = 300) -> Response:
    path = wired.path("post", "/orders")
    return await wired.client.post(path, json={"product_id": product_id, "quantity": quantity})


async def count_orders(wired: WiredApp) -> int:
    async with wired.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(wired.module.Order)) or 0)


async def test_orders_are_stored_with_their_reservation(
    shop: tuple[WiredApp, Warehouse], teach: Teach
) -> None:
    wired, _ = shop
    response = await order(wired, quantity=3)
    body = response.json() if response.status_code == 201 else {}
    assert body.get("reservation") == "W-TEA-300-3", teach(
        f"POST /orders for 3 x TEA-300 answered {response.status_code} {response.text[:200]}.",
        "201 with the order and the reservation code the warehouse call returned",
    )
    missing = await order(wired, product_id=999)
    assert missing.status_code == 404, teach(
        f"POST /orders for the unknown product 999 answered {missing.status_code}.", "404"
    )
    stored = await count_orders(wired)
    assert stored == 1, teach(
        f"After one order and one refused order, the orders table holds {stored} row(s).",
        "1 row",
    )


async def test_no_connection_is_held_during_the_warehouse_call(
    shop: tuple[WiredApp, Warehouse], teach: Teach
) -> None:
    wired, warehouse = shop
    response = await order(wired)
    assert response.status_code == 201, teach(
        f"POST /orders answered {response.status_code} {response.text[:200]}.", "201"
    )
    calls = len(warehouse.held)
    assert calls == 1, teach(
        f"One POST /orders called reserve_stock {calls} time(s).", "exactly one warehouse call"
    )
    held = warehouse.held[0]
    assert held == 0, teach(
        f"When POST /orders called reserve_stock, the app held {held} connection(s) from its "
        "pool, probably its session's: a session keeps its connection until its transaction "
        "(here begun by the SELECT) ends.",
        "0 connections held during the call: end the read's transaction first "
        "(`await db.commit()`, which with expire_on_commit=False keeps `product` readable, or "
        "`await db.close()`); the session checks a connection out again when it next touches "
        "the database",
    )


async def test_thirty_concurrent_orders_wait_on_the_warehouse_together(
    shop: tuple[WiredApp, Warehouse], pool_watch: PoolWatch, teach: Teach
) -> None:
    wired, warehouse = shop
    warehouse.gather_until(CONCURRENT)
    responses = await asyncio.gather(*(order(wired) for _ in range(CONCURRENT)))
    failed = [r for r in responses if r.status_code != 201]
    assert not failed, teach(
        f"{CONCURRENT} concurrent POST /orders on a pool of 2: {len(failed)} answered "
        f"{failed[0].status_code if failed else ''} {failed[0].text[:120] if failed else ''}.",
        "every order 201",
    )
    assert warehouse.peak_inside >= TOGETHER, teach(
        f"Of {CONCURRENT} concurrent POST /orders, at most {warehouse.peak_inside} were inside "
        f"the warehouse call at the same time (the stand-in waited {WINDOW:g} s for the "
        "others): the rest were queueing for a connection that those held through the call.",
        f"all {CONCURRENT} waiting on the warehouse together, none of them holding a "
        "connection while they wait: the pool of 2 is then only needed for the short "
        "SELECT and INSERT",
    )
    assert pool_watch.checked_out == 0, teach(
        f"After the burst, {pool_watch.checked_out} connection(s) were still checked out.",
        "every connection back in the pool once the responses are sent",
    )
