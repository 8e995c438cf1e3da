"""Chapter 6, exercise 1: the reference solution.

The path parameter is typed `int`, so FastAPI answers 422 for `/users/abc` before the endpoint
runs; a user that does not exist is a 404 with a detail that says so.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))


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


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


router = APIRouter(prefix="/users", tags=["users"])


# `user_id: int`: FastAPI converts the path segment and answers 422 when it is not an integer,
# so the endpoint only ever sees a valid id.
@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id: int, db: SessionDep) -> User:
    user = await db.get(User, user_id)
    if user is None:
        # The client asked for something that does not exist: 404, and a detail that tells it
        # apart from the 404 of a URL that has no route at all.
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
