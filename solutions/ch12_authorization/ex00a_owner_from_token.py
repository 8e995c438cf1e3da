"""Chapter 12, step 1: the reference solution.

`ItemCreate` declares only what a client may choose (the title); the owner is the current user,
taken from the token.
"""

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
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
    username: Mapped[str] = mapped_column(String(50), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


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


# Authentication is given (chapter 11 teaches it): sign-up hands out a random API token, and
# `get_current_user` finds its owner. A random 32-byte token needs no slow hash: its SHA-256
# digest is stored, so a leaked table does not leak working tokens.
def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


bearer = HTTPBearer()  # a missing or non-Bearer Authorization header: 401


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], db: SessionDep
) -> User:
    user = await db.scalar(select(User).where(User.token_hash == digest(credentials.credentials)))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Invalid token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=50)


class UserCreated(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    token: str  # shown once, at sign-up


class ItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    owner_id: int


users = APIRouter(prefix="/users", tags=["users"])


@users.post("", status_code=status.HTTP_201_CREATED, response_model=UserCreated)
async def sign_up(payload: UserCreate, db: SessionDep) -> UserCreated:
    token = secrets.token_urlsafe(32)
    user = User(username=payload.username, token_hash=digest(token))
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    return UserCreated(id=user.id, username=user.username, token=token)


items = APIRouter(prefix="/items", tags=["items"])


@items.post("", status_code=status.HTTP_201_CREATED, response_model=ItemRead)
async def create_item(payload: ItemCreate, user: CurrentUser, db: SessionDep) -> Item:
    item = Item(**payload.model_dump(), owner_id=user.id)
    db.add(item)
    await db.commit()
    return item


app = FastAPI(title="Fastlings items", lifespan=lifespan)
app.include_router(users)
app.include_router(items)
