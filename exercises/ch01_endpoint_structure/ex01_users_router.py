"""Chapter 1, exercise 1: give the sign-up endpoint a structure.

This endpoint works on a laptop, and it is how many first FastAPI apps look. Every `# TODO:`
marks a place to change. Run the checks with:

    pytest checks/ch01_endpoint_structure/test_ex01_users_router.py

The lesson: lessons/ch01_endpoint_structure.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy import String, create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# The database layer is given: an async engine, a session factory and the `get_db` dependency.
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


# TODO: a second, synchronous engine: its own connection pool, tables created at import time,
#   and calls that block the event loop inside `async def`. The app needs one database layer,
#   the async one above.
sync_engine = create_engine("sqlite://")
Base.metadata.create_all(sync_engine)

app = FastAPI(title="Fastlings users", lifespan=lifespan)


# TODO: the route hangs on the app, so /docs files it under "default" and every users route
#   repeats "/users". Group the users routes on their own router, prefix and tag said once.
# TODO: a creation answers 200 like a read, and /docs cannot say what comes back. Answer 201
#   Created and declare the model of what the client receives (id, email, name).
@app.post("/users")
async def create_user(request: Request):
    # TODO: nothing checks this body: a missing field or a list body ends in a 500. Let FastAPI
    #   validate it against a model of a sign-up first, so a body that does not fit gets 422.
    data = await request.json()
    # TODO: build the user from the validated fields, not from the raw JSON.
    user = User(email=data.get("email"), name=data.get("name"))
    # TODO: this session bypasses get_db: a test cannot replace it (its override never runs),
    #   and its calls block the event loop. Use the request's AsyncSession from get_db, and
    #   await its commit and refresh.
    with Session(sync_engine) as db:
        db.add(user)
        db.commit()
        db.refresh(user)
        return {"id": user.id, "email": user.email, "name": user.name}
