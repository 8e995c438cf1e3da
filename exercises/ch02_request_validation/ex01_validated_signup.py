"""Chapter 2, exercise 1: validate the sign-up body.

This endpoint stores whatever JSON it receives: an address without an "@", an empty name, an
age of -1, and, because it passes the body straight to the ORM class, any column the client
names (try `"is_admin": true`). Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch02_request_validation/test_ex01_validated_signup.py

The lesson: lessons/ch02_request_validation.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel
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


# TODO: nothing describes what a sign-up may contain. It needs an email that is an email
#   address, a name of 1 to 100 characters, and an optional age from 0 to 150 (both ends
#   included); a body that breaks a rule should get 422 naming the field.
router = APIRouter(prefix="/users", tags=["users"])


# TODO: the body is a free-form dict: FastAPI checks nothing about it.
@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: dict[str, Any], db: SessionDep) -> User:
    # TODO: every key the client sends becomes a column value here, is_admin and id included.
    #   Only the validated, declared fields may reach the database.
    user = User(**payload)
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


app = FastAPI(title="Fastlings sign-up", lifespan=lifespan)
app.include_router(router)
