"""Chapter 4, exercise 1: declare the users table in the typed SQLAlchemy 2.0 style.

This model is how many tutorials written before SQLAlchemy 2.0 still look, and it works in a
demo. But the table it creates trusts the application for everything: any email can appear
twice, every column accepts NULL, and `created_at` is filled in by Python, so a row inserted
any other way (raw SQL, a migration, another service) has no timestamp. Every `# TODO:` marks a
place to change. Run the checks with:

    pytest checks/ch04_typed_models/test_ex01_typed_user_model.py

The lesson: lessons/ch04_typed_models.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column, DateTime, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import declarative_base

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


# TODO: replace the legacy declarative_base() with `class Base(DeclarativeBase): pass`.
Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    # TODO: declare each attribute as `name: Mapped[<type>] = mapped_column(...)`.
    id = Column(Integer, primary_key=True)
    # TODO: Mapped[str], String(255), unique=True and index=True: no duplicates, fast lookups.
    email = Column(String)
    # TODO: Mapped[str] (no `| None`) makes the column NOT NULL.
    name = Column(String(100))
    # TODO: Mapped[str | None]: the one column that may be NULL.
    bio = Column(Text)
    # TODO: let the database fill it: DateTime(timezone=True), server_default=func.now().
    created_at = Column(DateTime, default=datetime.now)


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
