"""Chapter 11, step 1: the reference solution.

Passwords are stored as Argon2id hashes made by pwdlib: a random salt per hash, and a cost in
memory and time that makes each guess expensive. The parameters (OWASP's m=12 MiB, t=3, p=1
configuration) are written into every hash, so they can be raised later without breaking old
hashes.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
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
    hashed_password: Mapped[str] = mapped_column(String(255))


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
    username: str = Field(min_length=3, max_length=50)
    password: str = Field(min_length=8, max_length=128)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str


# Argon2id, OWASP's configuration m=12 MiB, t=3, p=1: as strong as their other minimum
# configurations and quick enough for tests. `PasswordHash.recommended()` (m=64 MiB, t=3, p=4)
# is stronger still, and slower.
password_hash = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=12288, parallelism=1),))


router = APIRouter(tags=["auth"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def sign_up(payload: UserCreate, db: SessionDep) -> User:
    # Hashing costs CPU on purpose: run it in a worker thread, not on the event loop.
    hashed = await run_in_threadpool(password_hash.hash, payload.password)
    user = User(username=payload.username, hashed_password=hashed)
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    await db.refresh(user)
    return user


app = FastAPI(title="Fastlings auth", lifespan=lifespan)
app.include_router(router)
