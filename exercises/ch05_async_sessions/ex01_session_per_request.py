"""Chapter 5, exercise 1: one session per request.

The notes API works when you click through it, one request at a time. But it opens a single
`AsyncSession` when the module is imported and hands that same session to every request:
concurrent requests share one transaction, and after a read nobody closes it, so its
connection stays checked out of the pool. Every `# TODO:` marks a place to change. Run the
checks with:

    pytest checks/ch05_async_sessions/test_ex01_session_per_request.py

The lesson: lessons/ch05_async_sessions.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


# TODO: this one session, made when the module is imported, serves every request at once, and
# nothing ever closes it. Sessions belong to requests.
session = SessionLocal()


# TODO: each request should get a session of its own, closed (its connection back in the pool)
# when the request is done, whatever happened in between.
async def get_db() -> AsyncSession:
    return session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class NoteCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


app = FastAPI(title="Fastlings notes", lifespan=lifespan)


@app.post("/notes", status_code=status.HTTP_201_CREATED, response_model=NoteRead)
async def create_note(payload: NoteCreate, db: SessionDep) -> Note:
    note = Note(title=payload.title)
    db.add(note)
    await db.commit()
    return note


@app.get("/notes", response_model=list[NoteRead])
async def list_notes(db: SessionDep) -> Sequence[Note]:
    return (await db.scalars(select(Note).order_by(Note.id))).all()
