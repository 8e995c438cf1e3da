"""Chapter 5, exercise 1: the reference solution.

No session exists at import time any more. `get_db` is an async generator: each request gets
its own `AsyncSession`, and `async with` closes it (returning its connection to the pool) when
the request is done, whatever happened in between.
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


# One session per request: `async with` closes it after the response, even when the endpoint
# raised, so its connection always goes back to the pool.
async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


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
