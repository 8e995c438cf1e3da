"""Chapter 1, step 1: the reference solution.

The engine reads its address from `DATABASE_URL`, the session factory keeps objects readable
after commit, and `get_db` opens one session per request and closes it afterwards.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# One engine (one connection pool) for the whole process, at the address the environment gives.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
# expire_on_commit=False: attributes stay loaded after commit, so no implicit (sync) reload.
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))


# A generator dependency: FastAPI runs it up to `yield` before the endpoint, hands the session
# over, and finishes it after the response; leaving `async with` closes the session.
async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    name: str = Field(min_length=1, max_length=100)


class UserRead(BaseModel):
    id: int
    email: str
    name: str


app = FastAPI(title="Fastlings users", lifespan=lifespan)


@app.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    await db.commit()
    return user  # read after the commit: user.id, user.email, user.name


@app.get("/users", response_model=list[UserRead])
async def list_users(db: SessionDep) -> Sequence[User]:
    return (await db.scalars(select(User).order_by(User.id))).all()
