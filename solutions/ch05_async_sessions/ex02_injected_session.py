"""Chapter 5, exercise 2: the reference solution.

The session factory is `async_sessionmaker(engine, expire_on_commit=False)`, so a committed
object stays readable; and every endpoint takes its session from `Depends(get_db)`, which
closes it after the request and lets tests swap in their own.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
# async_sessionmaker is typed for AsyncSession. expire_on_commit=False keeps the loaded values
# after commit: with the default (True) the next attribute read would need a lazy load, which
# AsyncSession cannot do implicitly (MissingGreenlet).
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(default=False)


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


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    done: bool


app = FastAPI(title="Fastlings tasks", lifespan=lifespan)


@app.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskRead)
async def create_task(payload: TaskCreate, db: SessionDep) -> Task:
    # The session comes from Depends(get_db): closed after the request, replaceable in tests.
    task = Task(title=payload.title)
    db.add(task)
    await db.commit()
    return task  # still loaded: expire_on_commit=False


@app.get("/tasks", response_model=list[TaskRead])
async def list_tasks(db: SessionDep) -> Sequence[Task]:
    # The same dependency; never a session opened by hand.
    return (await db.scalars(select(Task).order_by(Task.id))).all()
