"""Chapter 15, exercise 1: a page size with bounds.

`GET /products` pages through the products, cheapest first, with a total. But `limit` and
`offset` are plain integers: `?limit=1000000` makes the database read, and the app serialise,
the whole table in one response, and `?limit=0` or `?offset=-1` are accepted (or crash,
depending on the database). Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch15_pagination/test_ex01_bounded_limit.py

The lesson: lessons/ch15_pagination.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
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
    # TODO: any integer goes: a million rows in one page, a page of zero rows, a negative
    #       offset. Allow 1 to 100 rows per page and offsets from 0, refuse the rest with a
    #       422 before the query runs, and let the OpenAPI document show the bounds.
    limit: int = 20,
    offset: int = 0,
) -> ProductPage:
    total = await db.scalar(select(func.count()).select_from(Product))
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
