"""Tests of the chapter 4 worked example: what the orders table itself enforces."""

import typing
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Mapped

from lessons.examples.ch04_typed_models.orders import Base, LegacyBase, Order

INSERT = "INSERT INTO {table} (reference, customer, total) VALUES (:r, :c, :t)"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}")
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        await conn.run_sync(LegacyBase.metadata.create_all)
    yield eng
    await eng.dispose()


async def test_raw_insert_gets_a_timestamp_only_from_a_server_default(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for table in ("orders", "legacy_orders"):
            await conn.execute(text(INSERT.format(table=table)), {"r": "A-1", "c": "Lin", "t": 9})
        typed = await conn.scalar(text("SELECT placed_at FROM orders"))
        legacy = await conn.scalar(text("SELECT placed_at FROM legacy_orders"))
    assert typed is not None
    assert legacy is None


async def test_duplicate_reference_is_refused(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(INSERT.format(table="orders")), {"r": "A-1", "c": "Lin", "t": 9})
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(
                text(INSERT.format(table="orders")), {"r": "A-1", "c": "Kim", "t": 3}
            )


async def test_reference_lookup_uses_the_index(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        plan = (
            await conn.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM orders WHERE reference = 'A-1'")
            )
        ).all()
    assert "USING COVERING INDEX" in str(plan[-1][-1]) or "USING INDEX" in str(plan[-1][-1])


async def test_annotations_decide_nullability(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        columns = await conn.run_sync(lambda c: inspect(c).get_columns("orders"))
        legacy = await conn.run_sync(lambda c: inspect(c).get_columns("legacy_orders"))
    nullable = {c["name"]: c["nullable"] for c in columns}
    assert nullable["customer"] is False and nullable["gift_message"] is True
    assert all(c["nullable"] for c in legacy if c["name"] != "id")


def test_attributes_are_typed() -> None:
    hints = typing.get_type_hints(Order)
    assert hints["customer"] == Mapped[str]
    assert hints["total"] == Mapped[Decimal]
    assert hints["gift_message"] == Mapped[str | None]
