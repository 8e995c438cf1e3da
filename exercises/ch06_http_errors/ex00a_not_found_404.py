"""Chapter 6, step 1: a missing project is a 404.

`GET /projects/{project_id}` works for projects that exist. For one that does not, it answers
200 with a made-up error body: the client's code sees a success and goes on with no project.
Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch06_http_errors/test_ex00a_not_found_404.py

The lesson: lessons/ch06_http_errors.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
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


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


app = FastAPI(title="Fastlings projects", lifespan=lifespan)


@app.get("/projects/{project_id}", response_model=ProjectRead)
async def read_project(project_id: int, db: SessionDep) -> Project:
    project = await db.get(Project, project_id)
    if project is None:
        # TODO: this answers 200, so every client treats "no such project" as a success, and
        # its error body has a shape no other error of the API has. Answer with the status that
        # means "this does not exist", in FastAPI's usual error shape, with a detail that says
        # what is missing.
        return JSONResponse({"error": "no project"})
    return project
