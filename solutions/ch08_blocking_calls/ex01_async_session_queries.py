"""Chapter 8, exercise 1: the reference solution.

`GET /users` asks for an `AsyncSession` through `Depends(get_db)` and awaits its query, so the
event loop serves other requests while the database works.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
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


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


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


# One engine, async all the way: the synchronous engine and its dependency are gone.
SessionDep = Annotated[AsyncSession, Depends(get_db)]


app = FastAPI(title="Fastlings users", lifespan=lifespan)


@app.get("/users", response_model=list[UserRead])
async def list_users(db: SessionDep) -> Sequence[User]:
    # `await` hands the loop back while the driver waits for the database: other requests run.
    result = await db.execute(select(User).order_by(User.id))
    return result.scalars().all()
