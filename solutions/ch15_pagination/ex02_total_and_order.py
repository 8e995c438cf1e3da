"""Chapter 15, exercise 2: the reference solution.

The page comes with the number of ALL matching rows (a `count(*)` of its own), and its order is
total: price first, then the primary key, so two products with the same price always come in
the same order, on every database, whatever LIMIT and OFFSET ask for.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(index=True)


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
    name: str
    price_cents: int


class ProductPage(BaseModel):
    items: list[ProductRead]
    total: int
    limit: int
    offset: int


app = FastAPI(title="Fastlings products", lifespan=lifespan)


@app.get("/products", response_model=ProductPage)
async def list_products(
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ProductPage:
    # The total counts every row, not the page: its own SELECT count(*).
    total = await db.scalar(select(func.count()).select_from(Product))
    # A total order: equal prices are ordered by the primary key, which is unique.
    statement = (
        select(Product).order_by(Product.price_cents, Product.id).limit(limit).offset(offset)
    )
    rows = (await db.scalars(statement)).all()
    return ProductPage(
        items=[ProductRead.model_validate(row) for row in rows],
        total=total or 0,
        limit=limit,
        offset=offset,
    )
