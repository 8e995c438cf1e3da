"""Worked example for chapter 3: orders whose responses never carry the payment token.

The lesson includes its parts; `test_ch03_orders.py` checks every body and the OpenAPI
document. `/orders` answers through a public model; `/legacy-orders` shows the deny-list way
(`response_model_exclude`) and where it leaks.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import DateTime, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./orders.db"))
OrderSession = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with OrderSession() as session:
        yield session


Db = Annotated[AsyncSession, Depends(get_session)]


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    # What the payment provider gave us. It must never leave the server.
    card_token: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OrderIn(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=99)
    card_token: str = Field(min_length=8, max_length=64)


class OrderPublic(BaseModel):
    """The allow-list: what a client may see of an order, and nothing else."""

    id: int
    item: str
    quantity: int
    placed_at: datetime  # the row holds a datetime; the JSON gets ISO 8601 text


orders = APIRouter(prefix="/orders", tags=["orders"])


@orders.post("", status_code=status.HTTP_201_CREATED, response_model=OrderPublic)
async def place_order(order: OrderIn, db: Db) -> Order:
    row = Order(**order.model_dump())
    db.add(row)
    await db.commit()
    await db.refresh(row)  # loads placed_at, which the database filled in
    return row


@orders.get("/{order_id}")
async def read_order(order_id: int, db: Db) -> OrderPublic:
    row = await db.get(Order, order_id)
    if row is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    return OrderPublic.model_validate(row, from_attributes=True)


@orders.get("", response_model=list[OrderPublic])
async def list_orders(db: Db) -> Sequence[Order]:
    return (await db.scalars(select(Order).order_by(Order.id))).all()


class OrderRecord(BaseModel):
    """The deny-list way: the whole row, secret included, trimmed route by route."""

    id: int
    item: str
    quantity: int
    card_token: str
    placed_at: datetime


legacy = APIRouter(prefix="/legacy-orders", tags=["legacy"])


@legacy.get("/{order_id}", response_model=OrderRecord, response_model_exclude={"card_token"})
async def read_legacy_order(order_id: int, db: Db) -> Order | None:
    return await db.get(Order, order_id)


@legacy.get("", response_model=list[OrderRecord], response_model_exclude={"card_token"})
async def list_legacy_orders(db: Db) -> Sequence[Order]:
    return (await db.scalars(select(Order).order_by(Order.id))).all()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Orders", lifespan=lifespan)
app.include_router(orders)
app.include_router(legacy)
