"""Chapter 18, exercise 2: the reference solution.

The read ends its transaction (`await db.commit()`), which hands the session's connection back
to the pool before the warehouse call; storing the order checks one out again for the INSERT
and its commit only. With 2 connections, 30 concurrent orders all wait on the warehouse
together instead of queueing for the pool.
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
    product = await db.get(Product, payload.product_id)
    if product is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Product not found")
    # Nothing to write yet: end the read's transaction, which returns its connection to the
    # pool. (`expire_on_commit=False` keeps `product` readable without a new SELECT.)
    await db.commit()
    reservation = await reserve_stock(product.sku, payload.quantity)
    order = Order(product_id=product.id, quantity=payload.quantity, reservation=reservation)
    db.add(order)
    await db.commit()
    return order
