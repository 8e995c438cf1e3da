"""The dashboard's tables: learners, and one row per run a learner's loop reported."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def now() -> datetime:
    return datetime.now(UTC)


class Learner(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    exercise: Mapped[str] = mapped_column(String(60), index=True)
    passed: Mapped[bool]
    passed_checks: Mapped[list[str]] = mapped_column(JSON)
    failing_checks: Mapped[list[str]] = mapped_column(JSON)
    first_failure: Mapped[str | None] = mapped_column(String(80))
    headline: Mapped[str | None] = mapped_column(String(300))
    duration: Mapped[float] = mapped_column(Float)
    version: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
