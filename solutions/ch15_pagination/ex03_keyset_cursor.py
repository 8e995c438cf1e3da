"""Chapter 15, exercise 3: the reference solution.

Keyset pagination: the cursor carries the sort key of the last row sent, (price, id), and the
next page is the rows strictly after it in that order. Rows inserted or deleted elsewhere in
the table cannot shift it, so no row is sent twice or skipped. The cursor is opaque (URL-safe
base64 of JSON) and a cursor that does not decode is the client's error: 400 with a message.
"""

import base64
import binascii
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select, tuple_
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


def encode_cursor(product: Product) -> str:
    """The sort key of the last row of a page, as an opaque URL-safe string."""
    key = json.dumps([product.price_cents, product.id]).encode()
    return base64.urlsafe_b64encode(key).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(price_cents, id) from a cursor, or a 400 that says the cursor is not one of ours."""
    try:
        price_cents, product_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not (isinstance(price_cents, int) and isinstance(product_id, int)):
            raise ValueError("not two integers")
    except (ValueError, TypeError, binascii.Error) as exc:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail="Invalid cursor: pass the next_cursor of a previous page, unchanged",
        ) from exc
    return price_cents, product_id


app = FastAPI(title="Fastlings products", lifespan=lifespan)


@app.get("/products", response_model=ProductPage)
async def list_products(
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ProductPage:
    statement = select(Product).order_by(Product.price_cents, Product.id).limit(limit)
    if cursor is not None:
        # Strictly after the last row sent, in the same (price, id) order as the ORDER BY.
        statement = statement.where(tuple_(Product.price_cents, Product.id) > decode_cursor(cursor))
    rows = (await db.scalars(statement)).all()
    next_cursor = encode_cursor(rows[-1]) if len(rows) == limit else None
    return ProductPage(
        items=[ProductRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )
