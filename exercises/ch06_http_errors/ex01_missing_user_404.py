"""Chapter 6, exercise 1: answer 404 when the user does not exist.

`GET /users/{user_id}` works for users that exist. Ask for one that does not, or for
`/users/abc`, and the client gets a 500 "Internal Server Error" it can do nothing with. Every
`# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch06_http_errors/test_ex01_missing_user_404.py

The lesson: lessons/ch06_http_errors.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String
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


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


router = APIRouter(prefix="/users", tags=["users"])


# TODO: the id arrives as text and is converted by hand, so /users/abc crashes with a 500.
# A malformed id should get FastAPI's usual validation error before the endpoint runs.
@router.get("/{user_id}", response_model=UserRead)
async def read_user(user_id, db: SessionDep) -> User:
    user = await db.get(User, int(user_id))
    # TODO: a missing user is the client's mistake, not a server crash: answer with the status
    # that means "this does not exist", in FastAPI's error shape, saying what is missing.
    if user is None:
        raise Exception("User not found")
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
