"""Worked example for chapter 5: an orders API with its async database layer.

The three pieces, once per application: one engine (the pool), a factory of AsyncSessions whose
objects stay loaded after commit, and a dependency that gives each request its own session and
closes it. A second dependency (`get_open_order`) asks for the same session: FastAPI caches a
dependency per request, so both get the same one.

Run its tests with: pytest lessons/examples/ch05_async_sessions
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ORDERS_DATABASE_URL = os.environ.get("ORDERS_DATABASE_URL", "sqlite+aiosqlite:///./orders.db")

# The pool: one per process, created at import, disposed of when the app stops.
orders_engine = create_async_engine(ORDERS_DATABASE_URL)

# The factory: AsyncSessions on that engine. expire_on_commit=False keeps the values an object
# had at commit, so an endpoint can return what it just saved without another query.
OrderSession = async_sessionmaker(orders_engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(100))
    quantity: Mapped[int]
    shipped: Mapped[bool] = mapped_column(default=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per request: FastAPI runs the code up to `yield` before the endpoint and
    resumes the generator afterwards, so `async with` closes the session (rolling back anything
    left uncommitted, and returning its connection to the pool), even when the endpoint raised."""
    async with OrderSession() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with orders_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await orders_engine.dispose()


class OrderCreate(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1000)


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item: str
    quantity: int
    shipped: bool


app = FastAPI(title="Orders", lifespan=lifespan)


@app.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderRead)
async def place_order(payload: OrderCreate, session: SessionDep) -> Order:
    order = Order(item=payload.item, quantity=payload.quantity)
    session.add(order)
    await session.commit()
    return order  # its values survived the commit: expire_on_commit=False


@app.get("/orders", response_model=list[OrderRead])
async def list_orders(session: SessionDep) -> Sequence[Order]:
    return (await session.scalars(select(Order).order_by(Order.id))).all()


async def get_open_order(order_id: int, session: SessionDep) -> Order:
    """A dependency that needs the database too: it gets the request's one session."""
    order = await session.get(Order, order_id)
    if order is None or order.shipped:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="No open order")
    return order


@app.post("/orders/{order_id}/ship", response_model=OrderRead)
async def ship_order(
    order: Annotated[Order, Depends(get_open_order)], session: SessionDep
) -> Order:
    order.shipped = True  # loaded by get_open_order, on this same session
    await session.commit()
    return order
