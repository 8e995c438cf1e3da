"""Chapter 14, exercise 1: users with their items, in a constant number of queries.

`GET /users` lists every user with the items they own. The answer is right, but the models only
know `items.owner_id` as a column, so the endpoint fetches each user's items with a query of its
own: for N users it runs N + 1 queries. Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch14_relationships/test_ex01_eager_loading.py

The lesson: lessons/ch14_relationships.md
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # TODO: a user has many items, but the model cannot say so: there is no attribute the ORM
    #       could load them into. Declare the one-to-many side here.


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # TODO: and the many-to-one side (an item's owner), linked to the one above.


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
async def list_users(db: SessionDep):
    users = (await db.scalars(select(User).order_by(User.id))).all()
    result = []
    for user in users:
        # TODO: one more query per user: 10 users cost 11 queries, 1,000 users 1,001. Load every
        #       user's items together with the users, in a number of queries that does not
        #       grow with the number of users, and let the response model read them.
        items = await db.scalars(select(Item).where(Item.owner_id == user.id).order_by(Item.id))
        result.append(
            UserWithItems(
                id=user.id, name=user.name, items=[ItemRead.model_validate(i) for i in items]
            )
        )
    return result
