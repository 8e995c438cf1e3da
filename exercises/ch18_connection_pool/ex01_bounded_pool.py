"""Chapter 18, exercise 1: a pool with a limit, and requests that wait their turn.

The database administrator gives this service 4 connections: 2 kept open, 2 more under load.
The starter's engine uses `NullPool`, a well-meant fix for "QueuePool limit of size 5 overflow
10 reached" that you will find in many answers online: it opens a new connection for every
session and closes it afterwards, with no limit. Under a burst of 30 requests it opens 30
connections at once, and a real server refuses them ("too many clients already"). Every
`# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch18_connection_pool/test_ex01_bounded_pool.py

The lesson: lessons/ch18_connection_pool.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import NullPool

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
# TODO: NullPool puts no bound on the connections: one per concurrent request. Keep 2
# connections open, allow 2 more under load and no others, and let a request that finds all 4
# busy wait for one (a few seconds at most) instead of failing at once.
engine = create_async_engine(DATABASE_URL, poolclass=NullPool)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    stock: Mapped[int] = mapped_column(default=0)


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


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    stock: int


app = FastAPI(title="Fastlings shop", lifespan=lifespan)


@app.get("/products", response_model=list[ProductRead])
async def list_products(db: SessionDep) -> Sequence[Product]:
    return (await db.scalars(select(Product).order_by(Product.id))).all()
