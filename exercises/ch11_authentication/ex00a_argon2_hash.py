"""Chapter 11, step 1: store passwords so that a stolen table does not give them away.

The sign-up stores a SHA-256 digest of the password: fast to compute and unsalted, so a leaked
table is cracked at billions of guesses per second, and two users with the same password get
the same digest. The checks read the database as a thief would.

Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch11_authentication/test_ex00a_argon2_hash.py

The lesson: lessons/ch11_authentication.md
"""

import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
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


# TODO: a fast, unsalted digest is the wrong tool for passwords. Store a slow, salted Argon2id
# TODO: hash instead (pwdlib), with parameters at least as strong as OWASP's minimum.
def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


router = APIRouter(tags=["auth"])


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def sign_up(payload: UserCreate, db: SessionDep) -> User:
    # TODO: store the slow hash here; it costs CPU on purpose, so keep it off the event loop.
    user = User(username=payload.username, hashed_password=hash_password(payload.password))
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
