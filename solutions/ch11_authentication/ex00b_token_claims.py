"""Chapter 11, step 2: the reference solution.

The token's `sub` is the user's id as a string and its `exp` lies
`settings.access_token_minutes` ahead.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
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


class Settings(BaseModel):
    """The secret key comes from the environment. The default is for development only."""

    secret_key: str = Field(min_length=32)
    algorithm: str = "HS256"
    access_token_minutes: int = 30


@lru_cache
def get_settings() -> Settings:
    # The checks replace this dependency with settings whose key they know.
    return Settings(
        secret_key=os.environ.get("SECRET_KEY", "dev-only-key-change-me-0123456789abcdef")
    )


SessionDep = Annotated[AsyncSession, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=50)
    password: str = Field(min_length=8, max_length=128)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


# Argon2id with OWASP's m=12 MiB, t=3, p=1 configuration (step 1).
password_hash = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=12288, parallelism=1),))


def create_access_token(user_id: int, settings: Settings) -> str:
    # A registered claim `sub` is a string; `exp` is when the token stops working.
    lifetime = timedelta(minutes=settings.access_token_minutes)
    claims = {"sub": str(user_id), "exp": datetime.now(UTC) + lifetime}
    return jwt.encode(claims, settings.secret_key, algorithm=settings.algorithm)


router = APIRouter(tags=["auth"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def sign_up(payload: UserCreate, db: SessionDep) -> User:
    # Argon2 takes a noticeable slice of CPU: hash in a worker thread, not on the event loop.
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


@router.post("/token", response_model=Token)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: SessionDep,
    settings: SettingsDep,
) -> Token:
    user = await db.scalar(select(User).where(User.username == form.username))
    # (An unknown username is answered faster than a wrong password here: step 3 mends that.)
    valid = user is not None and await run_in_threadpool(
        password_hash.verify, form.password, user.hashed_password
    )
    if user is None or not valid:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_access_token(user.id, settings))


app = FastAPI(title="Fastlings auth", lifespan=lifespan)
app.include_router(router)
