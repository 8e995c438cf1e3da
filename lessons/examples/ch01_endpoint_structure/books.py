"""Worked example for chapter 1: a small books API, built the way the chapter teaches.

The lesson includes its parts; `test_ch01_books.py` runs them. Every idea of the chapter is
here on books instead of users: the database layer, a request model, the route's contract
(201 and a response model) and a router per resource.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def database_url() -> str:
    """Where the books live: the environment decides, a local file is the fallback."""
    return os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./books.db")


# One engine per process: it owns the connection pool.
engine = create_async_engine(database_url())
# A factory of sessions on that engine. Objects stay loaded after commit.
BookSession = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per request: opened before the endpoint, closed after the response."""
    async with BookSession() as session:
        yield session


Db = Annotated[AsyncSession, Depends(get_session)]


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))


class NewBook(BaseModel):
    """What a client sends to add a book. FastAPI answers 422 when the body does not fit."""

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)


class BookOut(BaseModel):
    """What a client receives. FastAPI reads it from the returned Book's attributes."""

    id: int
    title: str
    author: str


books = APIRouter(prefix="/books", tags=["books"])


@books.post("", status_code=status.HTTP_201_CREATED, response_model=BookOut)
async def add_book(book: NewBook, db: Db) -> Book:
    row = Book(**book.model_dump())
    db.add(row)
    await db.commit()
    return row


@books.get("", response_model=list[BookOut])
async def list_books(db: Db) -> Sequence[Book]:
    return (await db.scalars(select(Book).order_by(Book.id))).all()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Books", lifespan=lifespan)
app.include_router(books)
