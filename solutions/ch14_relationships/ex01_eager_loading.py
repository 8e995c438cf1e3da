"""Chapter 14, exercise 1: the reference solution.

`User.items` and `Item.owner` are the two sides of one relationship (`back_populates`), and the
listing asks for the items in the same query with `selectinload(User.items)`: one SELECT for the
users and one for all their items, however many users there are.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # One-to-many: a list of the items whose owner_id is this user's id.
    items: Mapped[list["Item"]] = relationship(back_populates="owner", order_by="Item.id")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Many-to-one: the other side of User.items.
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


app = FastAPI(title="Fastlings users and items", lifespan=lifespan)


@app.get("/users", response_model=list[UserWithItems])
async def list_users(db: SessionDep) -> Sequence[User]:
    # selectinload: after the users, ONE more SELECT ... WHERE items.owner_id IN (...) loads
    # every user's items, so the response model finds them loaded.
    statement = select(User).options(selectinload(User.items)).order_by(User.id)
    return (await db.scalars(statement)).all()
