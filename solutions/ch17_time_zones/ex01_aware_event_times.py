"""Chapter 17, exercise 1: the reference solution.

`starts_at` is an `AwareDatetime`: Pydantic refuses a datetime without an offset with a 422
("Input should have timezone info"), so every value that reaches the database names an instant.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class EventCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    # An offset is part of the value: "2026-03-01T10:00:00+05:30" or "...Z". Without one, the
    # client gets a 422 instead of a guess.
    starts_at: AwareDatetime


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    starts_at: datetime


app = FastAPI(title="Fastlings events", lifespan=lifespan)


@app.post("/events", status_code=status.HTTP_201_CREATED, response_model=EventRead)
async def create_event(payload: EventCreate, db: SessionDep) -> Event:
    event = Event(**payload.model_dump())
    db.add(event)
    await db.commit()
    return event
