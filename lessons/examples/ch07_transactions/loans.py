"""Worked example for chapter 7: library loans whose 201 is always true.

`POST /loans` takes one copy of a book and records the loan: two changes, one transaction,
committed in the endpoint before it answers. A member who borrows the same book twice hits a
unique constraint, and the commit's failure becomes a 409 the client sees, because nothing of
the transaction is left for after the response.

Run its tests with: pytest lessons/examples/ch07_transactions
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LOANS_DATABASE_URL = os.environ.get("LOANS_DATABASE_URL", "sqlite+aiosqlite:///./loans.db")
loans_engine = create_async_engine(LOANS_DATABASE_URL)
LoansSession = async_sessionmaker(loans_engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    copies_on_shelf: Mapped[int]


class Loan(Base):
    __tablename__ = "loans"
    __table_args__ = (UniqueConstraint("book_id", "member"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    member: Mapped[str] = mapped_column(String(100))


async def get_session() -> AsyncIterator[AsyncSession]:
    """Opens and closes the session; it owns no transaction. Closing rolls back whatever an
    endpoint left uncommitted, and nothing here can fail a request after its response."""
    async with LoansSession() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with loans_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await loans_engine.dispose()


class LoanCreate(BaseModel):
    book_id: int
    member: str = Field(min_length=1, max_length=100)


class LoanRead(LoanCreate):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID


app = FastAPI(title="Loans", lifespan=lifespan)


async def lend_copy(session: AsyncSession, data: LoanCreate) -> Loan:
    """Both changes of a loan, in the session's one open transaction; nothing is kept yet."""
    book = await session.get(Book, data.book_id)
    if book is None or book.copies_on_shelf < 1:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="No copy on the shelf")
    book.copies_on_shelf -= 1
    loan = Loan(id=uuid.uuid4(), book_id=book.id, member=data.member)
    session.add(loan)
    return loan


@app.post("/loans", status_code=status.HTTP_201_CREATED, response_model=LoanRead)
async def borrow(payload: LoanCreate, session: SessionDep) -> Loan:
    loan = await lend_copy(session, payload)
    try:
        await session.commit()  # one commit, for both changes, before the response exists
    except IntegrityError as exc:
        await session.rollback()
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT, detail="This member already has this book"
        ) from exc
    return loan


@app.post("/returns", status_code=status.HTTP_204_NO_CONTENT)
async def give_back(payload: LoanCreate, session: SessionDep) -> None:
    """The same rule with `session.begin()`: the block commits when it ends, rolls back when
    it raises."""
    async with session.begin():
        book = await session.get(Book, payload.book_id)
        if book is None:
            raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="No such book")
        book.copies_on_shelf += 1
