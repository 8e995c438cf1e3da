"""Chapter 4, step 1: typed attributes with `Mapped[...]`.

This model is written in the legacy style: type checkers see `Column[Any]`, and every column
accepts NULL unless told otherwise.
Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch04_typed_models/test_ex00a_mapped_columns.py

The lesson: lessons/ch04_typed_models.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, Field
from sqlalchemy import Column, Integer, String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import declarative_base

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

# TODO: the legacy base class. Type checkers cannot see the attributes of classes built on it.
#   Use the SQLAlchemy 2.0 declarative base, a class of your own.
Base = declarative_base()


class User(Base):
    __tablename__ = "users"

    # TODO: untyped columns: `user.email` is a `Column[Any]` to mypy and your editor, and the
    #   table accepts NULL in every column. Declare each attribute with its Python type, so that
    #   email and name are required strings (NOT NULL) and bio is an optional one (nullable).
    id = Column(Integer, primary_key=True)
    email = Column(String(255))
    name = Column(String(100))
    bio = Column(Text)


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
    id: int
    email: str
    name: str
    bio: str | None


app = FastAPI(title="Fastlings typed models", lifespan=lifespan)


@app.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user
