"""Worked example for chapter 6: a library API whose errors a client can act on.

- `GET /books/{book_id}`: a typed path parameter (422 for `/books/abc`), and a 404 with a detail
  for a book that does not exist.
- `POST /members`: the unique card number decides what a duplicate is. The service function that
  owns the session commits, and on `IntegrityError` rolls that same session back before it
  raises a domain error; the endpoint turns the domain error into a 409.

Run its tests with: pytest lessons/examples/ch06_http_errors
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LIBRARY_DATABASE_URL = os.environ.get("LIBRARY_DATABASE_URL", "sqlite+aiosqlite:///./library.db")
library_engine = create_async_engine(LIBRARY_DATABASE_URL)
LibrarySession = async_sessionmaker(library_engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))


async def get_session() -> AsyncIterator[AsyncSession]:
    async with LibrarySession() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with library_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await library_engine.dispose()


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


class MemberCreate(BaseModel):
    card_number: str = Field(min_length=4, max_length=20)
    name: str = Field(min_length=1, max_length=100)


class MemberRead(MemberCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


app = FastAPI(title="Library", lifespan=lifespan)


@app.get("/books/{book_id}", response_model=BookRead)
async def read_book(book_id: Annotated[int, Path(gt=0)], session: SessionDep) -> Book:
    book = await session.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Book not found")
    return book


class CardNumberTaken(Exception):
    """A domain error: the service's caller decides what it means over HTTP."""


async def register_member(session: AsyncSession, data: MemberCreate) -> Member:
    """Store a new member. The session that ran the failed commit is rolled back right here,
    where it is in hand, so that whoever uses it next finds it usable."""
    member = Member(card_number=data.card_number, name=data.name)
    session.add(member)
    try:
        await session.commit()
    except IntegrityError as exc:  # only the constraint's refusal; anything else stays a 500
        await session.rollback()
        raise CardNumberTaken(data.card_number) from exc
    return member


@app.post("/members", status_code=status.HTTP_201_CREATED, response_model=MemberRead)
async def join(payload: MemberCreate, session: SessionDep) -> Member:
    try:
        return await register_member(session, payload)
    except CardNumberTaken as exc:
        # Written for the client: what clashed, never the database's own message.
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="Card number already in use"
        ) from exc
