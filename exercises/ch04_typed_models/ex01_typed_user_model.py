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


# TODO: the legacy base class: type checkers cannot see the attributes of classes built on it.
Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    # TODO: untyped columns: mypy sees `Column[Any]`, and each column accepts NULL unless told
    #   otherwise. Give every attribute its Python type, and let that type decide NULL.
    id = Column(Integer, primary_key=True)
    # TODO: the table accepts the same email twice, has no length limit for it, and finds a user
    #   by email by reading every row.
    email = Column(String)
    # TODO: a name is required, yet the column accepts NULL.
    name = Column(String(100))
    # TODO: the one column that may really be empty: its type should say so.
    bio = Column(Text)
    # TODO: a Python-side default: rows inserted any other way get no timestamp, and the type
    #   drops the time zone. The database should fill it in, in a column that keeps the zone.
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
