"""Chapter 14, exercise 2: relationships that refuse to load behind your back.

Both endpoints load what their response models read (`selectinload`, `joinedload`), so today
all is well. But the relationships use the default `lazy="select"`: the next query that forgets
its loader still "works" in sync code (a script, `run_sync`, a sync test) by running one more
query per row, and in async code dies with `MissingGreenlet`, an error that names no attribute.
Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch14_relationships/test_ex02_raise_on_lazy_load.py

The lesson: lessons/ch14_relationships.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # TODO: reading `items` when the query did not load them quietly runs a query (or fails
    #       with MissingGreenlet in async code). Make an unloaded `items` an immediate error
    #       that names the attribute.
    items: Mapped[list["Item"]] = relationship(back_populates="owner", order_by="Item.id")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # TODO: the same for an item's `owner`.
    owner: Mapped[User] = relationship(back_populates="items")


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


class UserWithItems(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    items: list[ItemRead]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class ItemWithOwner(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    owner: UserRead


app = FastAPI(title="Fastlings users and items", lifespan=lifespan)


@app.get("/users", response_model=list[UserWithItems])
async def list_users(db: SessionDep) -> Sequence[User]:
    statement = select(User).options(selectinload(User.items)).order_by(User.id)
    return (await db.scalars(statement)).all()


@app.get("/items", response_model=list[ItemWithOwner])
async def list_items(db: SessionDep) -> Sequence[Item]:
    statement = select(Item).options(joinedload(Item.owner)).order_by(Item.id)
    return (await db.scalars(statement)).all()
