"""Worked example for chapter 17: meetings booked from several time zones.

`POST /meetings` takes `{"topic": ..., "at": "2026-05-04T09:00:00+02:00"}`; `GET /meetings`
lists them earliest first, `?before=<instant>` only those strictly earlier. Every instant is
refused without an offset, stored in UTC and answered in UTC, on SQLite and PostgreSQL alike.
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

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./meetings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that takes aware datetimes, stores UTC and returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True  # no per-instance state: SQLAlchemy may cache statements that use it

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """On the way in, for inserted values and for values compared with the column."""
        if value is None:
            return value
        if value.utcoffset() is None:
            raise ValueError(f"{value!r} has no time zone; refuse it at the API instead")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """On the way out. PostgreSQL answers aware UTC; SQLite answers the naive UTC text."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


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


class MeetingCreate(BaseModel):
    topic: str = Field(min_length=1, max_length=200)
    at: AwareDatetime  # "2026-05-04T09:00:00+02:00" or "...Z"; no offset is a 422


class MeetingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    topic: str
    at: datetime  # aware UTC from the column: serialised as "2026-05-04T07:00:00Z"


app = FastAPI(title="Meetings", lifespan=lifespan)


@app.post("/meetings", status_code=status.HTTP_201_CREATED, response_model=MeetingRead)
async def book_meeting(payload: MeetingCreate, db: SessionDep) -> Meeting:
    meeting = Meeting(topic=payload.topic, at=payload.at)
    db.add(meeting)
    await db.commit()
    return meeting


@app.get("/meetings", response_model=list[MeetingRead])
async def list_meetings(db: SessionDep, before: AwareDatetime | None = None) -> Sequence[Meeting]:
    query = select(Meeting).order_by(Meeting.at, Meeting.id)
    if before is not None:
        # `before` goes through UTCDateTime too: both sides of `<` are UTC.
        query = query.where(Meeting.at < before)
    return (await db.scalars(query)).all()
