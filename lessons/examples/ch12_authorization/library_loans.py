"""Worked example for lessons/ch12_authorization.md: a library's loans.

Members borrow books; each loan belongs to the member who made it. Librarians (a role stored
on the member's row) may see and close everyone's loans. Authentication is kept tiny: the
bearer token is the member's card number, looked up in the database.
"""

import os
from collections.abc import AsyncIterator, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ.get("LOANS_DATABASE_URL", "sqlite+aiosqlite://"))
Sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    card: Mapped[str] = mapped_column(String(32), unique=True)
    is_librarian: Mapped[bool] = mapped_column(default=False)


class Loan(Base):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    book: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)


async def db_session() -> AsyncIterator[AsyncSession]:
    async with Sessions() as session:
        yield session


Db = Annotated[AsyncSession, Depends(db_session)]
card_reader = HTTPBearer()


async def signed_in_member(
    card: Annotated[HTTPAuthorizationCredentials, Depends(card_reader)], db: Db
) -> Member:
    member = await db.scalar(select(Member).where(Member.card == card.credentials))
    if member is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Unknown card", headers={"WWW-Authenticate": "Bearer"}
        )
    return member


SignedIn = Annotated[Member, Depends(signed_in_member)]


# -- 12.1: what a client may send is the allow-list ---------------------------------------
class LoanRequest(BaseModel):
    book: str = Field(min_length=1, max_length=200)  # no member_id: the card says who


class LoanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    book: str
    member_id: int


loans = APIRouter(prefix="/loans", tags=["loans"])


@loans.post("", status_code=status.HTTP_201_CREATED, response_model=LoanOut)
async def borrow(request: LoanRequest, member: SignedIn, db: Db) -> Loan:
    loan = Loan(book=request.book, member_id=member.id)  # the owner from the token
    db.add(loan)
    await db.commit()
    return loan


# -- 12.2: a list is filtered by the query --------------------------------------------------
@loans.get("", response_model=list[LoanOut])
async def my_loans(member: SignedIn, db: Db) -> Sequence[Loan]:
    query = select(Loan).filter_by(member_id=member.id).order_by(Loan.id.desc())
    return (await db.scalars(query)).all()


# -- 12.3: one dependency loads a loan only for its borrower -----------------------------
async def own_loan(loan_id: int, member: SignedIn, db: Db) -> Loan:
    loan = await db.get(Loan, loan_id)
    # `!=` compares values; `is not` would compare objects, and ids above 256 are never the
    # same object twice. One answer for "missing" and "someone else's": 404.
    if loan is None or loan.member_id != member.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such loan")
    return loan


OwnLoan = Annotated[Loan, Depends(own_loan)]


@loans.get("/{loan_id}", response_model=LoanOut)
async def show_loan(loan: OwnLoan) -> Loan:
    return loan


@loans.delete("/{loan_id}", status_code=status.HTTP_204_NO_CONTENT)
async def return_book(loan: OwnLoan, db: Db) -> None:
    await db.delete(loan)
    await db.commit()


# -- 12.4: a role guards a whole router ---------------------------------------------------
async def librarians_only(member: SignedIn) -> Member:
    # The role comes from the member's row, never from a header, a query or a cookie.
    if not member.is_librarian:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Librarians only")
    return member


desk = APIRouter(prefix="/desk", tags=["desk"], dependencies=[Depends(librarians_only)])


@desk.get("/loans", response_model=list[LoanOut])
async def all_loans(db: Db) -> Sequence[Loan]:
    return (await db.scalars(select(Loan).order_by(Loan.id))).all()


app = FastAPI(title="Library")
app.include_router(loans)
app.include_router(desk)
