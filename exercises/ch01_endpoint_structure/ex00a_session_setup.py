"""Chapter 1, step 1: the database layer (an engine, a session factory and `get_db`).

The sign-up endpoint is written; the three lines it depends on are not right yet. Every
`# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch01_endpoint_structure/test_ex00a_session_setup.py

The lesson: lessons/ch01_endpoint_structure.md
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# TODO: the database's address is fixed in the code, so tests, CI and production all write to
#   this one file. Read it from the DATABASE_URL environment variable (this file can stay the
#   default when the variable is not set).
engine = create_async_engine("sqlite+aiosqlite:///./fastlings.db")

# TODO: sessions from this factory expire every object when they commit, so reading
#   `user.id` after the commit needs a database round trip that async code cannot make
#   implicitly: the response fails with a 500. Objects should stay readable after commit.
SessionLocal = async_sessionmaker(engine)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))


# TODO: this hands each request a session and never closes it, so its connection stays checked
#   out of the pool after the response. Open one session per request, hand it to the
#   endpoint, and close it when the request is done.
async def get_db() -> AsyncSession:
    return SessionLocal()


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
