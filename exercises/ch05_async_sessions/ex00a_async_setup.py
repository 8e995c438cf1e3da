"""Chapter 5, step 1: the async database layer, written by you.

The bookmarks API below was started from a synchronous tutorial: its database layer is the
classic `create_engine`, `sessionmaker` and a plain `def get_db`. The endpoints are `async def`
and await the session, so nothing works: every request answers 500. Rewrite the three pieces of
the database layer for asyncio; the endpoints stay as they are. Every `# TODO:` marks a place to
change. Run the checks with:

    pytest checks/ch05_async_sessions/test_ex00a_async_setup.py

The tables come from migrations in a real deployment (here: the checks create them).
The lesson: lessons/ch05_async_sessions.md
"""

import os
from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")

# TODO: a synchronous engine cannot drive an async driver such as aiosqlite or asyncpg. The app
# needs one engine for the whole process, built from DATABASE_URL, that speaks asyncio.
engine = create_engine(DATABASE_URL)

# TODO: this factory makes synchronous sessions, and its objects forget their loaded values at
# commit, so the endpoint below could not read the bookmark it just saved. Make a factory of
# async sessions whose objects stay readable after commit.
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Bookmark(Base):
    __tablename__ = "bookmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(200))


# TODO: each request needs its own async session, closed (and its connection returned to the
# pool) when the request is done, whatever happened in between.
def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


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
