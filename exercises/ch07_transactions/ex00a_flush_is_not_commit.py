"""Chapter 7, step 1: a flush is not a commit.

`POST /comments` answers 201 with the new comment and its id. Then the comment is gone: the
endpoint flushes (which sends the INSERT and fetches the id) but never commits, and closing the
session at the end of the request rolls the transaction back. Every `# TODO:` marks a place to
change. Run the checks with:

    pytest checks/ch07_transactions/test_ex00a_flush_is_not_commit.py

The lesson: lessons/ch07_transactions.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(2000))


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class CommentCreate(BaseModel):
    author: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=2000)


class CommentRead(CommentCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


app = FastAPI(title="Fastlings comments", lifespan=lifespan)


@app.post("/comments", status_code=status.HTTP_201_CREATED, response_model=CommentRead)
async def create_comment(payload: CommentCreate, db: SessionDep) -> Comment:
    comment = Comment(author=payload.author, body=payload.body)
    db.add(comment)
    # TODO: the INSERT is sent and the id is known, but the transaction is never ended: when
    # the session closes after the request, everything it did is rolled back. The comment must
    # be stored for good before the endpoint answers 201.
    await db.flush()
    return comment
