"""Checks for chapter 7, step 2: stock and order are kept together, or not at all.

The app runs with its own get_db (no override). To make the second half of the work fail, the
check refuses the `INSERT INTO orders` on every engine (an OperationalError, as a dropped
connection would raise) and then reads the stock on its own connection.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from fastlings.testing import Teach, WiredApp, WireFactory, listening

TEAPOT = {"id": 300, "name": "Teapot", "in_stock": 5}


class FailingOrders:
    def __init__(self) -> None:
        self.on = False
        self.refused = 0

    def before_cursor_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.on and statement.lstrip().upper().startswith("INSERT INTO ORDERS"):
            self.refused += 1
            raise OperationalError(statement, {}, Exception("server closed the connection"))


@pytest.fixture
def failing_orders() -> Iterator[FailingOrders]:
    failing = FailingOrders()
    with listening((Engine, "before_cursor_execute", failing.before_cursor_execute)):
        yield failing


async def stock(wired: WiredApp) -> int:
    table = wired.module.Product.__table__
    async with wired.engine.connect() as conn:
        return int(await conn.scalar(select(table.c.in_stock).where(table.c.id == 300)) or 0)


async def seeded(wired: WiredApp) -> None:
    async with wired.engine.begin() as conn:
        await conn.execute(insert(wired.module.Product.__table__), [TEAPOT])


async def test_order_takes_the_stock(wire: WireFactory, teach: Teach) -> None:
    async with wire(override=False) as wired:
        await seeded(wired)
        response = await wired.client.post("/orders", json={"product_id": 300, "quantity": 2})
        left = await stock(wired)
    assert response.status_code == 201, teach(
        f"POST /orders for 2 of 5 teapots answered {response.status_code}: {response.text[:200]}",
        "201 with the order",
    )
    assert left == 3, teach(
        f"After an order for 2 of 5 teapots, the database holds {left} in stock.",
        "3: the order's quantity taken from the stock, and kept",
    )


async def test_failed_order_leaves_the_stock_untouched(
    wire: WireFactory, failing_orders: FailingOrders, teach: Teach
) -> None:
    async with wire(override=False) as wired:
        await seeded(wired)
        failing_orders.on = True
        response = await wired.client.post("/orders", json={"product_id": 300, "quantity": 2})
        failing_orders.on = False
        left = await stock(wired)
    assert failing_orders.refused >= 1, teach(
        f"POST /orders answered {response.status_code} without trying to INSERT the order.",
        "the order stored in the orders table",
    )
    assert left == 5 and response.status_code >= 500, teach(
        f"Storing the order failed (the check refused its INSERT), POST /orders answered "
        f"{response.status_code}, and the database holds {left} teapots in stock instead of 5: "
        "the stock was committed on its own, before the order existed.",
        "5 in stock and an error: one commit at the end of the request, so that the stock "
        "and the order are kept together or not at all",
    )
