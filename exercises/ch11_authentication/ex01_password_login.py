"""Chapter 11, exercise 1: store passwords safely and log users in with a token.

The sign-up stores a SHA-256 digest of the password, the login takes JSON, tells an attacker
which usernames exist, and hands out a token that never expires. Every `# TODO:` marks a place
to change. Run the checks with:

    pytest checks/ch11_authentication/test_ex01_password_login.py

About the secret key: the app reads it only through the `get_settings` dependency. The checks
replace that dependency (`app.dependency_overrides[get_settings]`) with settings whose
`secret_key` they know, so they can read your tokens. Keep signing with `settings.secret_key`.

The lesson: lessons/ch11_authentication.md
"""

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
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
    token_type: str = "bearer"


# TODO: a fast, unsalted digest: a leaked table is cracked at GPU speed, and equal passwords
# TODO: give equal digests. Store a slow, salted Argon2id hash (step 11.1).
def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


router = APIRouter(tags=["auth"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def sign_up(payload: UserCreate, db: SessionDep) -> User:
    # TODO: store the slow hash; it takes a slice of CPU, so keep it off the event loop.
    user = User(username=payload.username, hashed_password=hash_password(payload.password))
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    await db.refresh(user)
    return user


# TODO: /docs' Authorize button and every OAuth2 client post the password flow's FORM
# TODO: (username and password fields), not JSON: this model makes them all get a 422.
class LoginRequest(BaseModel):
    username: str
    password: str


@router.post("/token", response_model=Token)
async def login(payload: LoginRequest, db: SessionDep, settings: SettingsDep) -> Token:
    user = await db.scalar(select(User).where(User.username == payload.username))
    # TODO: an unknown user and a wrong password get different answers, and the unknown user
    # TODO: is answered much sooner: both tell an attacker which usernames exist. Make the two
    # TODO: failures look and take alike.
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No user with that username")
    if hash_password(payload.password) != user.hashed_password:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong password")
    # TODO: the subject must be a string, and the token must expire (step 11.2).
    token = jwt.encode({"sub": user.id}, settings.secret_key, algorithm=settings.algorithm)
    return Token(access_token=token)


app = FastAPI(title="Fastlings auth", lifespan=lifespan)
app.include_router(router)
