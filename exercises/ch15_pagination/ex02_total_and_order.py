"""Chapter 15, exercise 2: a total the client can trust, and an order that never shuffles.

`GET /products` pages through the products, cheapest first. Two things make the pages
unreliable: `total` counts the rows of the page instead of all the products, and many
products share a price while the query orders by price alone, so the database may return
equal prices in any order, and a different one for each page. Every `# TODO:` marks a place to
change. Run the checks:

    pytest checks/ch15_pagination/test_ex02_total_and_order.py

The lesson: lessons/ch15_pagination.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
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
    # TODO: many products share a price, and the order says nothing about those: the database
    #       may return them in any order, differently for each page, so a row can show up
    #       on two pages or on none. Make the order total.
    statement = select(Product).order_by(Product.price_cents).limit(limit).offset(offset)
    rows = (await db.scalars(statement)).all()
    return ProductPage(
        items=[ProductRead.model_validate(row) for row in rows],
        # TODO: `total` should say how many products there are in all, not on this page.
        total=len(rows),
        limit=limit,
        offset=offset,
    )
