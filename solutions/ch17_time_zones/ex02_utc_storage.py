"""Chapter 17, exercise 2: the reference solution.

`UtcTimestamp` is a column type that stores every instant in UTC and hands back aware UTC
datetimes: on PostgreSQL it is `TIMESTAMP WITH TIME ZONE`; on SQLite, which keeps only text
without an offset, the conversion on the way in and the `tzinfo` on the way out make the
stored text UTC by convention, so it reads back and sorts correctly on both.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, Dialect, String, TypeDecorator, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class UtcTimestamp(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; read back as an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # Also applies to values compared with the column (`where(Event.starts_at > t)`).
        # A naive value would be read as the server's local time here; the API refuses those.
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # PostgreSQL returns aware UTC already; SQLite returns the naive text we wrote in UTC.
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UtcTimestamp)


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


@app.get("/events", response_model=list[EventRead])
async def list_events(db: SessionDep) -> Sequence[Event]:
    return (await db.scalars(select(Event).order_by(Event.starts_at, Event.id))).all()


@app.get("/events/{event_id}", response_model=EventRead)
async def read_event(event_id: int, db: SessionDep) -> Event:
    event = await db.get(Event, event_id)
    if event is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Event not found")
    return event
