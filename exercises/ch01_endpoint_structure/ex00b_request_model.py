"""Chapter 1, step 2: a request model.

The endpoint reads the body as raw JSON and trusts it. Every `# TODO:` marks a place to
change. Run the checks with:

    pytest checks/ch01_endpoint_structure/test_ex00b_request_model.py

The lesson: lessons/ch01_endpoint_structure.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The database layer of step 1, given from here on.
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


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


# TODO: nothing in this module describes what a sign-up must contain (an email and a name,
#   both strings), so nothing can check a body against it.
app = FastAPI(title="Fastlings users", lifespan=lifespan)


@app.post("/users")
async def create_user(request: Request, db: SessionDep):
    # TODO: nothing checks this body: a missing field becomes None and the database refuses it
    #   (500), a list instead of an object crashes `.get` (500), a number is stored as a name.
    #   Let FastAPI validate the body against a model of a sign-up (an email and a name, both
    #   strings) before this function runs, so that a body that does not fit gets 422.
    data = await request.json()
    user = User(email=data.get("email"), name=data.get("name"))
    db.add(user)
    await db.commit()
    return {"id": user.id, "email": user.email, "name": user.name}
