"""Chapter 18, exercise 3: the reference solution.

`get_db` opens the session in `async with`: when the endpoint returns, raises an HTTPException
or fails, the block exits and closes the session, which rolls back what was left open and
returns its connection to the pool.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
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
    stock: Mapped[int] = mapped_column(default=0)


# `async with` closes the session however the block is left: after a normal return, and when
# FastAPI throws the endpoint's exception in at `yield` (then it propagates on, as it should).
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


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    stock: int


class Reservation(BaseModel):
    quantity: int = Field(ge=1, le=100)


app = FastAPI(title="Fastlings shop", lifespan=lifespan)


async def load_product(db: AsyncSession, product_id: int) -> Product:
    product = await db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Product not found")
    return product


@app.get("/products/{product_id}", response_model=ProductRead)
async def read_product(product_id: int, db: SessionDep) -> Product:
    return await load_product(db, product_id)


@app.post("/products/{product_id}/reserve", response_model=ProductRead)
async def reserve(product_id: int, payload: Reservation, db: SessionDep) -> Product:
    product = await load_product(db, product_id)
    if product.stock < payload.quantity:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail=f"Only {product.stock} in stock"
        )
    product.stock -= payload.quantity
    await db.commit()
    return product
