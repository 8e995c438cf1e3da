"""Chapter 17, exercise 2: store every instant in UTC, read it back with its offset.

The API now refuses naive input (exercise 1), but the column is `Mapped[datetime]`, which maps
to `DateTime()`: a timestamp WITHOUT time zone. PostgreSQL's driver refuses an aware value for
it (a 500); SQLite stores the wall-clock text and silently drops the offset: ten o'clock in
India comes back as "10:00", no zone, five and a half hours off. Every `# TODO:` marks a place
to change. Run the checks with:

    pytest checks/ch17_time_zones/test_ex02_utc_storage.py

The lesson: lessons/ch17_time_zones.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


# TODO: SQLite has no timestamp type: SQLAlchemy stores a datetime there as text without its
# offset, even for DateTime(timezone=True), and reads back naive datetimes. Both databases need
# one rule: every instant goes in as UTC, into a column declared with a time zone, and comes
# out as an aware UTC datetime.
class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # TODO: a column without time zone: PostgreSQL refuses an aware value (500), SQLite keeps
    # the wall-clock text and drops the offset, so instants from different zones neither read
    # back right nor sort right.
    starts_at: Mapped[datetime]


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
