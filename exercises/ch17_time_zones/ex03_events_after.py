"""Chapter 17, exercise 3: "events after T", right across time zones.

`GET /events?after=2026-03-01T10:00:00%2B05:30` lists the events that start strictly after that
instant, earliest first. The clients sit in Tokyo, London, Mumbai and New York; each sends its
own offset. The starter was written with plain datetimes everywhere: it accepts times without
an offset, stores wall-clock times, and compares and sorts them as if every event happened in
one zone. Put the chapter together: every `# TODO:` marks a place to change. (In a URL, `+`
means a space: a client sends `%2B05:30`, and httpx's `params=` does that for you.) Run the
checks with:

    pytest checks/ch17_time_zones/test_ex03_events_after.py

The lesson: lessons/ch17_time_zones.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
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


# TODO: instants from four zones end up in this table. It must hold them on one clock (UTC),
# in a column declared with a time zone, and hand them back aware on SQLite and PostgreSQL
# alike; the values compared with the column in a WHERE clause need the same treatment.
class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # TODO: no time zone: SQLite keeps the wall-clock text, PostgreSQL refuses aware values.
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
    # TODO: a time without an offset names no instant; refuse it (422).
    starts_at: datetime


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


# TODO: `after` has the same problem as the request body: a naive value is a guess, so refuse
# it (422). An aware one must be compared with the stored instants on the same clock.
@app.get("/events", response_model=list[EventRead])
async def list_events(db: SessionDep, after: datetime | None = None) -> Sequence[Event]:
    query = select(Event).order_by(Event.starts_at, Event.id)
    if after is not None:
        query = query.where(Event.starts_at > after)
    return (await db.scalars(query)).all()
