"""Chapter 7, exercise 1: commit before you answer.

`get_db` commits after `yield`: one commit per request, for every endpoint, the "unit of work"
many tutorials recommend. Since FastAPI 0.118 that code runs after the response has been sent,
so a commit that fails can no longer change the 201 the client already got. Sign up the same
email twice: two 201s, one row. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch07_transactions/test_ex01_commit_before_response.py

The lesson: lessons/ch07_transactions.md
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, Uuid
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    # The app makes the ids (uuid4), so the endpoint knows a user's id before any INSERT runs.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))


# TODO: the commit after `yield` runs after the response has been sent: its failure reaches
# nobody, and the client keeps a 201 for a row that is not there. This dependency should own
# the session's lifetime, not the transaction.
async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session
        await session.commit()


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

    id: uuid.UUID
    email: str
    name: str


router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    # TODO: nothing here ends the transaction, so the 201 is built before anyone knows whether
    # the row will be kept. The user must be stored for good before the endpoint answers, and a
    # duplicate email must reach the client as a conflict it can act on (chapter 6).
    user = User(id=uuid.uuid4(), **payload.model_dump())
    db.add(user)
    return user


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
