"""Worked example for chapter 16: partial and full updates of a task.

A task has a title (NOT NULL) and two fields that may be empty: a description and a due date.
`PATCH /tasks/{id}` changes the fields sent; `PUT /tasks/{id}` replaces the task.
"""

import datetime as dt
import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./tasks.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[dt.date | None]


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]

Title = Annotated[str, Field(min_length=1, max_length=200)]


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    due_on: dt.date | None


class TaskPatch(BaseModel):
    """Every field may be left out. Only the nullable ones may be null."""

    title: Title | None = None
    description: str | None = None
    due_on: dt.date | None = None

    @field_validator("title")
    @classmethod
    def title_not_null(cls, value: str | None) -> str:
        if value is None:  # only runs when the client SENT a title
            raise ValueError("title may be left out, but not null")
        return value


class TaskReplace(BaseModel):
    """The whole task: a title is required; what is left out is empty."""

    title: Title
    description: str | None = None
    due_on: dt.date | None = None


app = FastAPI(title="Tasks")


async def get_task(task_id: int, db: AsyncSession) -> Task:
    task = await db.get(Task, task_id)
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    return task


@app.patch("/tasks/{task_id}", response_model=TaskRead)
async def patch_task(task_id: int, changes: TaskPatch, db: SessionDep) -> Task:
    task = await get_task(task_id, db)
    sent = changes.model_dump(exclude_unset=True)  # {"due_on": None} clears the due date
    for name, value in sent.items():
        setattr(task, name, value)
    await db.commit()
    return task


@app.put("/tasks/{task_id}", response_model=TaskRead)
async def replace_task(task_id: int, task_in: TaskReplace, db: SessionDep) -> Task:
    task = await get_task(task_id, db)
    for name, value in task_in.model_dump().items():  # every field, defaults included
        setattr(task, name, value)
    await db.commit()
    return task
