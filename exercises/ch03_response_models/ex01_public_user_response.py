"""Chapter 3, exercise 1: answer with a public model, not the database row.

Sign up, then fetch the user: both answers carry `password_hash`, because both endpoints return
the ORM row and FastAPI serialises every column of it. OpenAPI cannot say what they return
either. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch03_response_models/test_ex01_public_user_response.py

The lesson: lessons/ch03_response_models.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pwdlib import PasswordHash
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import DateTime, String, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
password_hasher = PasswordHash.recommended()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
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


# The request model says what a client may send. Nothing says what a client may see.
class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=128)


# TODO: both routes below hand FastAPI the whole row, so every column goes out, password_hash
#   included, and OpenAPI cannot say what they return. Describe what a client may see of a
#   user (id, email, name, created_at) as a model of its own.
router = APIRouter(prefix="/users", tags=["users"])


# TODO: this route answers with every column of the row: answer with the public fields only.
@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(payload: UserCreate, db: SessionDep):
    user = User(
        email=payload.email,
        name=payload.name,
        password_hash=password_hasher.hash(payload.password),
    )
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


# TODO: and this one: every route that returns a user must answer with the public fields.
@router.get("/{user_id}")
async def read_user(user_id: int, db: SessionDep):
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
