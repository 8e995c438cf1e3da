"""Chapter 5, exercise 2: take the session from the dependency, and keep objects readable.

`get_db` is already written, but the endpoints do not use it: each opens a session by hand and
never closes it, so every request leaves a connection checked out of the pool, and tests cannot
replace the session. The factory is the legacy `sessionmaker(..., class_=AsyncSession)` with its
default `expire_on_commit=True`, so returning a freshly committed task fails. Every `# TODO:`
marks a place to change. Run the checks with:

    pytest checks/ch05_async_sessions/test_ex02_injected_session.py

The lesson: lessons/ch05_async_sessions.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
# TODO: the legacy factory, whose sessions forget every loaded value at commit: returning the
# task just committed then crashes. The factory should be typed for AsyncSession and keep
# committed objects readable.
SessionLocal = sessionmaker(engine, class_=AsyncSession)


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


# TODO: this endpoint opens a session by hand that nobody closes and no test can replace. Use
# the session the app's dependency hands out.
@app.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskRead)
async def create_task(payload: TaskCreate) -> Task:
    db = SessionLocal()
    task = Task(title=payload.title)
    db.add(task)
    await db.commit()
    return task


# TODO: the same here.
@app.get("/tasks", response_model=list[TaskRead])
async def list_tasks() -> Sequence[Task]:
    db = SessionLocal()
    return (await db.scalars(select(Task).order_by(Task.id))).all()
