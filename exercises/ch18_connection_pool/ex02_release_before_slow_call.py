"""Chapter 18, exercise 2: give the connection back before a slow call.

`POST /orders` looks the product up, asks the warehouse service to hold the items (a network
call of about 100 ms, simulated here by `reserve_stock`), and stores the order with the
reservation code. The pool has 2 connections. The starter reads the product, then keeps its
session's transaction, and with it a connection, open through the warehouse call: two orders
at a time get a connection, the other requests queue for the pool and, after `pool_timeout`,
fail with "QueuePool limit of size 2 overflow 0 reached, connection timed out". The database
is idle all that time. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch18_connection_pool/test_ex02_release_before_slow_call.py

The lesson: lessons/ch18_connection_pool.md
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL, pool_size=2, max_overflow=0, pool_timeout=2)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    reservation: Mapped[str] = mapped_column(String(80))


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


async def reserve_stock(sku: str, quantity: int) -> str:
    """Ask the warehouse service to hold `quantity` items of `sku`; its reservation code.

    Here a stand-in that takes as long as the real service, about 100 ms."""
    await asyncio.sleep(0.1)
    return f"R-{sku}-{quantity}"


class OrderCreate(BaseModel):
    product_id: int
    quantity: int = Field(ge=1, le=100)


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    quantity: int
    reservation: str


app = FastAPI(title="Fastlings shop", lifespan=lifespan)


@app.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderRead)
async def place_order(payload: OrderCreate, db: SessionDep) -> Order:
    # The SELECT checks a connection out of the pool and begins a transaction.
    product = await db.get(Product, payload.product_id)
    if product is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Product not found")
    # TODO: the transaction begun by the SELECT is still open here, so this session keeps its
    # connection through the whole warehouse call, 100 ms in which the database does nothing
    # for this request. End the transaction before the call, so that the connection goes back
    # to the pool and the session takes one again only to store the order.
    reservation = await reserve_stock(product.sku, payload.quantity)
    order = Order(product_id=product.id, quantity=payload.quantity, reservation=reservation)
    db.add(order)
    await db.commit()
    return order
