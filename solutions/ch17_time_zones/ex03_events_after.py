"""Chapter 17, exercise 3: the reference solution.

Aware datetimes at both doors (the body and the `after` query parameter), and one column type
that stores UTC and reads back aware UTC. `where(Event.starts_at > after)` passes `after`
through the same type, so the database compares two UTC values: correct at the boundary, in
any zone, on SQLite and PostgreSQL.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, status
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
    """Aware in, UTC in the database, aware UTC out: the same on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # Runs for stored values and for values compared with the column alike.
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime names no instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)  # SQLite: the text we stored was UTC


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


# `after` is validated like the body; Query's 422 names the parameter when it has no offset.
@app.get("/events", response_model=list[EventRead])
async def list_events(db: SessionDep, after: AwareDatetime | None = None) -> Sequence[Event]:
    query = select(Event).order_by(Event.starts_at, Event.id)
    if after is not None:
        query = query.where(Event.starts_at > after)
    return (await db.scalars(query)).all()
