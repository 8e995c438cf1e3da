"""Chapter 14, exercise 3: the reference solution.

Each endpoint's query loads exactly what its response model reads: `selectinload(User.items)`
for users with their items (one extra SELECT for all of them), `joinedload(Item.owner)` for
items with their owner (a JOIN in the same SELECT). `lazy="raise"` stays as the guard.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
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
    # lazy="raise": a query that needs the items must say so (selectinload); forgetting it is
    # an immediate, named error rather than a hidden query.
    items: Mapped[list["Item"]] = relationship(
        back_populates="owner", order_by="Item.id", lazy="raise"
    )


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The same guard on the many-to-one side.
    owner: Mapped[User] = relationship(back_populates="items", lazy="raise")


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
    # The response reads user.items: load them with the users (one more SELECT ... IN (...)).
    statement = select(User).options(selectinload(User.items)).order_by(User.id)
    return (await db.scalars(statement)).all()


@app.get("/users/{user_id}", response_model=UserWithItems)
async def get_user(user_id: int, db: SessionDep) -> User:
    # Session.get takes loader options too.
    user = await db.get(User, user_id, options=[selectinload(User.items)])
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


@app.get("/items", response_model=list[ItemWithOwner])
async def list_items(db: SessionDep) -> Sequence[Item]:
    # Many-to-one: a JOIN brings each item's owner in the same SELECT.
    statement = select(Item).options(joinedload(Item.owner)).order_by(Item.id)
    return (await db.scalars(statement)).all()
