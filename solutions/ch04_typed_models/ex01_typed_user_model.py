"""Chapter 4, exercise 1: the reference solution.

The model is declared in the SQLAlchemy 2.0 typed style: a `DeclarativeBase` subclass, one
`Mapped[...]` annotation per attribute and `mapped_column(...)` for what the annotation cannot
say. The database itself now enforces what the application assumes: a unique, indexed email,
NOT NULL on required columns and a timestamp filled in by the server.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


# The 2.0 base class: type checkers understand it, and every model's attributes are typed.
class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # VARCHAR(255); unique=True with index=True creates one UNIQUE INDEX: duplicates are
    # refused by the database, and lookups by email (every log-in) use the index.
    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    # Mapped[str] without `| None`: the column is NOT NULL.
    name: Mapped[str] = mapped_column(String(100))
    # Mapped[str | None]: the column is nullable, and the type says so to every reader.
    bio: Mapped[str | None] = mapped_column(Text)
    # The DEFAULT is part of the table (server_default), so every INSERT gets a timestamp,
    # also raw SQL, migrations and other services; timezone=True keeps the offset.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    name: str = Field(min_length=1, max_length=100)
    bio: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    bio: str | None
    created_at: datetime


app = FastAPI(title="Fastlings typed models", lifespan=lifespan)


@app.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    await db.commit()
    await db.refresh(user)  # reads back the row, created_at included
    return user
