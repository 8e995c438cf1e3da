"""Chapter 15, exercise 3: a cursor that survives new rows.

`GET /products` hands out pages with a `next_cursor` to fetch the next one. But the cursor is
an offset in disguise: when products are added while a client walks the pages, every row
after them moves down, and the client gets some rows twice (or, after deletions, never). And a
cursor the app did not issue crashes it. Every `# TODO:` marks a place to change. Run:

    pytest checks/ch15_pagination/test_ex03_keyset_cursor.py

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
    next_cursor: str | None


# TODO: a cursor should say where the last page ended (the last row's place in the order),
#       in a form clients pass back unchanged; the app needs to write it and to read it back,
#       and a cursor that does not read back is the client's mistake, not a crash.

app = FastAPI(title="Fastlings products", lifespan=lifespan)


@app.get("/products", response_model=ProductPage)
async def list_products(
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ProductPage:
    # TODO: the cursor is a row count from the start, so a product added before that point
    #       pushes rows already sent onto the next page again. Make the next page start
    #       after the last row sent (its position in the ORDER BY), wherever rows are added.
    # TODO: a cursor this app did not issue crashes it (500). Answer 400 (or 422) with a
    #       message that says the cursor is invalid.
    offset = int(cursor) if cursor else 0
    statement = (
        select(Product).order_by(Product.price_cents, Product.id).limit(limit).offset(offset)
    )
    rows = (await db.scalars(statement)).all()
    next_cursor = str(offset + limit) if len(rows) == limit else None
    return ProductPage(
        items=[ProductRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )
