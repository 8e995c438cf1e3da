"""Chapter 6, exercise 2: answer 409 for a duplicate email, and keep the session usable.

The email column is unique, so the database refuses a second sign-up with the same address.
The endpoint turns that refusal into a 500. Every `# TODO:` marks a place to change. Run the
checks with:

    pytest checks/ch06_http_errors/test_ex02_duplicate_email_409.py

The lesson: lessons/ch06_http_errors.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The database layer is given: an async engine, a session factory and the `get_db` dependency.
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


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    name: str = Field(min_length=1, max_length=100)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    # TODO: a duplicate email is the client's mistake, not a crash: answer with the status that
    # means "this clashes with what is stored", and a detail that tells the client what to
    # change (in your own words, not the database's). The refused transaction also leaves this
    # session unusable: whoever uses it next must find it working.
    try:
        await db.commit()
    except IntegrityError:
        raise Exception("Email already registered")
    await db.refresh(user)
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
