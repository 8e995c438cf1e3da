"""Worked example for chapter 8: a bookshop API that waits three ways, never blocking the loop.

- `GET /books` reads the catalogue through an `AsyncSession` and awaits the query.
- `GET /books/{book_id}/price` asks a prices service through one shared `httpx.AsyncClient`
  (opened in the lifespan), and when the service is busy (503) waits before one retry with
  `await asyncio.sleep`.
- `GET /books/{book_id}/blurb` calls a blocking legacy function through `asyncio.to_thread`.
- `GET /shipping/quote` is a plain `def` endpoint around a blocking courier SDK: FastAPI runs it
  in a worker thread.

Run its tests with: pytest lessons/examples/ch08_blocking_calls
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

BOOKSHOP_DATABASE_URL = os.environ.get("BOOKSHOP_DATABASE_URL", "sqlite+aiosqlite:///./books.db")
PRICES_URL = os.environ.get("PRICES_URL", "https://prices.example.com")
RETRY_AFTER = 0.5  # seconds to wait before asking a busy prices service again

engine = create_async_engine(BOOKSHOP_DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200))


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    author: str


class Price(BaseModel):
    book_id: int
    euros: float


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One prices client for the app's lifetime: its connections are reused between requests."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with httpx.AsyncClient(base_url=PRICES_URL, timeout=5.0) as prices:
        app.state.prices = prices
        yield
    await engine.dispose()


def get_prices(request: Request) -> httpx.AsyncClient:
    return cast(httpx.AsyncClient, request.app.state.prices)


SessionDep = Annotated[AsyncSession, Depends(get_db)]
PricesDep = Annotated[httpx.AsyncClient, Depends(get_prices)]

app = FastAPI(title="Bookshop", lifespan=lifespan)


@app.get("/books", response_model=list[BookRead])
async def list_books(db: SessionDep) -> Sequence[Book]:
    # Awaited: while the database works, the loop serves other requests.
    books = await db.scalars(select(Book).order_by(Book.title))
    return books.all()


async def ask_price(prices: httpx.AsyncClient, book_id: int) -> httpx.Response:
    """Ask once; if the service says it is busy, wait (without blocking) and ask again."""
    response = await prices.get(f"/prices/{book_id}")
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        await asyncio.sleep(RETRY_AFTER)  # this request waits; the loop does not
        response = await prices.get(f"/prices/{book_id}")
    return response


@app.get("/books/{book_id}/price", response_model=Price)
async def book_price(book_id: int, prices: PricesDep) -> Price:
    response = await ask_price(prices, book_id)
    if response.status_code != status.HTTP_200_OK:
        raise HTTPException(status_code=status.HTTP_502_BAD_GATEWAY, detail="No price today")
    return Price(book_id=book_id, euros=float(response.json()["euros"]))


def legacy_blurb(title: str) -> str:
    """A vendor function with no async version: it blocks the thread that calls it."""
    time.sleep(0.05)
    return f"{title}: a book you will not put down."


@app.get("/books/{book_id}/blurb")
async def book_blurb(book_id: int, db: SessionDep) -> dict[str, str]:
    book = await db.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    # A blocking call that cannot be awaited runs in a worker thread; the loop stays free.
    blurb = await asyncio.to_thread(legacy_blurb, book.title)
    return {"blurb": blurb}


COURIER_SECONDS = 0.1  # how long the courier's SDK blocks per quote


def courier_quote(grams: int) -> float:
    """The courier's SDK: synchronous only, it blocks the calling thread while it asks."""
    time.sleep(COURIER_SECONDS)
    return round(3.5 + grams / 1000 * 1.2, 2)


@app.get("/shipping/quote")
def shipping_quote(grams: int) -> dict[str, float]:
    # A plain `def` endpoint: FastAPI runs all of it in a worker thread, so it may block.
    return {"euros": courier_quote(grams)}
