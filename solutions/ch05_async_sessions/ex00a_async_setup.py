"""Chapter 5, step 1: the reference solution.

The database layer, for asyncio: one async engine built from DATABASE_URL, a factory of
AsyncSessions whose objects stay loaded after commit, and a `get_db` that gives each request
its own session and closes it afterwards.
"""

import os
from collections.abc import AsyncIterator, Sequence
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")

# One engine (and so one connection pool) for the whole process.
engine = create_async_engine(DATABASE_URL)

# expire_on_commit=False: a committed object keeps its values, so it can be returned as is.
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Bookmark(Base):
    __tablename__ = "bookmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(200))


# A session per request; `async with` closes it when the request is done.
async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class BookmarkCreate(BaseModel):
    url: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=200)


class BookmarkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    title: str


app = FastAPI(title="Fastlings bookmarks")


@app.post("/bookmarks", status_code=status.HTTP_201_CREATED, response_model=BookmarkRead)
async def create_bookmark(payload: BookmarkCreate, db: SessionDep) -> Bookmark:
    bookmark = Bookmark(url=payload.url, title=payload.title)
    db.add(bookmark)
    await db.commit()
    return bookmark


@app.get("/bookmarks", response_model=list[BookmarkRead])
async def list_bookmarks(db: SessionDep) -> Sequence[Bookmark]:
    return (await db.scalars(select(Bookmark).order_by(Bookmark.id))).all()
