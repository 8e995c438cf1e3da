"""Chapter 1, exercise 1: the reference solution.

The endpoint now lives on a router, validates its body with a Pydantic model, gets its
`AsyncSession` through `Depends(get_db)`, answers 201 and declares the model it returns.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, Field
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
    email: Mapped[str] = mapped_column(String(255))
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


# One alias per dependency: routes read `db: SessionDep`.
SessionDep = Annotated[AsyncSession, Depends(get_db)]


# The request model: FastAPI validates the body against it and answers 422 when it does not fit.
class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    name: str = Field(min_length=1, max_length=100)


# The response model: what the client may see. FastAPI validates the returned ORM object
# against it, reading its attributes by itself (no from_attributes needed for response_model).
class UserRead(BaseModel):
    id: int
    email: str
    name: str


# The router groups the users endpoints under one prefix and one tag in the docs.
router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(**payload.model_dump())  # the validated fields, nothing else
    db.add(user)
    await db.commit()  # awaited: the event loop serves other requests meanwhile
    await db.refresh(user)
    return user


# The app only assembles routers.
app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
