"""Chapter 3, exercise 2: the reference solution.

One public model, `UserPublic`, is the response model of every route that returns users: the
create and read routes, and the list route as `list[UserPublic]`. Nothing is excluded by hand,
so there is no route where someone can forget to exclude it, and OpenAPI documents no secret.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pwdlib import PasswordHash
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy import DateTime, String, func, select
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


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=128)


# An allow-list instead of a deny-list: the model names what a client may see. It replaces
# the full-row model whose password_hash every route had to remember to exclude.
class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    created_at: datetime


router = APIRouter(prefix="/users", tags=["users"])


# The same public model on every route; no response_model_exclude to keep in step.
@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserPublic)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(
        email=payload.email,
        name=payload.name,
        password_hash=password_hasher.hash(payload.password),
    )
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


@router.get("/{user_id}", response_model=UserPublic)
async def read_user(user_id: int, db: SessionDep) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


# A list of public models: FastAPI validates each row against UserPublic, and OpenAPI shows an
# array whose items are UserPublic.
@router.get("", response_model=list[UserPublic])
async def list_users(db: SessionDep) -> Sequence[User]:
    result = await db.scalars(select(User).order_by(User.id))
    return result.all()


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
