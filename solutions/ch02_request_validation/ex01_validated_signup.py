"""Chapter 2, exercise 1: the reference solution.

The sign-up body is a Pydantic model: `EmailStr` for the address, a length range for the
name, a bounded optional age. FastAPI answers 422 before the endpoint runs when the body does
not fit, and the ORM object is built from `model_dump()`, so only declared fields reach the
database.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, EmailStr, Field
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
    age: Mapped[int | None]
    is_admin: Mapped[bool] = mapped_column(default=False)


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
    id: int
    email: str
    name: str
    age: int | None


# The request model is the contract for the body. Every field says what it accepts:
#   EmailStr                a syntactically valid address (needs the email-validator package)
#   min_length/max_length   1 to 100 characters, the size of the name column
#   ge/le                   0 to 150 inclusive; the default `None` makes the field optional
# Fields it does not declare (is_admin, id, ...) are dropped: `extra="ignore"` is the default.
class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    age: int | None = Field(None, ge=0, le=150)


router = APIRouter(prefix="/users", tags=["users"])


# The body parameter is the model: FastAPI validates before this function runs and answers 422,
# naming the field (`loc`), when the body does not fit.
@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    # model_dump() holds the declared, validated fields only: a client cannot set is_admin.
    user = User(**payload.model_dump())
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


app = FastAPI(title="Fastlings sign-up", lifespan=lifespan)
app.include_router(router)
