"""Worked example for chapter 14: authors and their books, loaded without surprises.

`Author.books` (one-to-many) and `Book.author` (many-to-one) are the two sides of one
relationship. Both refuse to lazy-load (`lazy="raise"`), so every query says what it loads.
"""

import os
from collections.abc import AsyncIterator, Sequence
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./library.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(
        back_populates="author", order_by="Book.id", lazy="raise"
    )


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books", lazy="raise")


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


class AuthorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class AuthorWithBooks(AuthorRead):
    books: list[BookRead]


class BookWithAuthor(BookRead):
    author: AuthorRead


app = FastAPI(title="Library")


async def authors_one_query_each(db: AsyncSession) -> list[AuthorWithBooks]:
    """The anti-pattern: one query for the authors, then one more for each author's books."""
    authors = (await db.scalars(select(Author).order_by(Author.id))).all()
    result = []
    for author in authors:
        books = await db.scalars(select(Book).where(Book.author_id == author.id))
        result.append(AuthorWithBooks(id=author.id, name=author.name, books=books.all()))
    return result


@app.get("/authors", response_model=list[AuthorWithBooks])
async def list_authors(db: SessionDep) -> Sequence[Author]:
    statement = select(Author).options(selectinload(Author.books)).order_by(Author.id)
    return (await db.scalars(statement)).all()


@app.get("/authors/{author_id}", response_model=AuthorWithBooks)
async def get_author(author_id: int, db: SessionDep) -> Author:
    author = await db.get(Author, author_id, options=[selectinload(Author.books)])
    if author is None:
        raise HTTPException(status_code=404, detail="Author not found")
    return author


@app.get("/books", response_model=list[BookWithAuthor])
async def list_books(db: SessionDep) -> Sequence[Book]:
    statement = select(Book).options(joinedload(Book.author)).order_by(Book.id)
    return (await db.scalars(statement)).all()


@app.get("/authors-names", response_model=list[AuthorRead])
async def list_author_names(db: SessionDep) -> Sequence[Author]:
    """No nested books in the response: no loader, and lazy="raise" never fires."""
    return (await db.scalars(select(Author).order_by(Author.id))).all()
