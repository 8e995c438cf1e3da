"""Worked example for chapter 2: book reviews whose body says what it accepts.

The lesson includes its parts; `test_ch02_reviews.py` sends good and bad reviews. Each idea of
the chapter is here on reviews instead of sign-ups: a type that validates (`EmailStr`), bounds
on fields (`Field`), and only declared fields reaching the database.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./reviews.db"))
ReviewSession = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with ReviewSession() as session:
        yield session


Db = Annotated[AsyncSession, Depends(get_session)]


class Base(DeclarativeBase):
    pass


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_email: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(120))
    stars: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    # Set by the editors, never by the reviewer.
    is_featured: Mapped[bool] = mapped_column(default=False)


class ReviewIn(BaseModel):
    """What a reviewer may send. Every field says what it accepts."""

    # A type that validates: an address with an @ and a real-looking domain.
    reviewer_email: EmailStr
    # Inclusive bounds on a string's length; 120 matches the column.
    title: str = Field(min_length=1, max_length=120)
    # Inclusive bounds on a number: 1 to 5 stars. No default, so it is required.
    stars: int = Field(ge=1, le=5)
    # Optional: the default None means "no comment"; a comment that is sent is still bounded.
    comment: str | None = Field(None, max_length=2000)


class StrictReviewIn(ReviewIn):
    """The same fields, but a body with any other field is refused with 422."""

    model_config = ConfigDict(extra="forbid")


class ReviewOut(BaseModel):
    id: int
    title: str
    stars: int
    is_featured: bool


reviews = APIRouter(prefix="/reviews", tags=["reviews"])


@reviews.post("", status_code=status.HTTP_201_CREATED, response_model=ReviewOut)
async def post_review(review: ReviewIn, db: Db) -> Review:
    # model_dump() holds the declared fields only: a reviewer cannot feature their own review.
    row = Review(**review.model_dump())
    db.add(row)
    await db.commit()
    return row


@reviews.post("/strict", status_code=status.HTTP_201_CREATED, response_model=ReviewOut)
async def post_review_strictly(review: StrictReviewIn, db: Db) -> Review:
    row = Review(**review.model_dump())
    db.add(row)
    await db.commit()
    return row


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(title="Reviews", lifespan=lifespan)
app.include_router(reviews)
