"""Chapter 18, exercise 1: the reference solution.

The engine's pool (`AsyncAdaptedQueuePool`, the default for a file database or a server) keeps
`pool_size=2` connections, opens up to `max_overflow=2` more under load and closes those when
they come back; a request that finds all 4 busy waits up to `pool_timeout` seconds for one.
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

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
# At most pool_size + max_overflow = 4 connections, whatever the load; a request that finds all
# four in use waits (up to 5 s) for one to come back, then fails with sqlalchemy.exc.TimeoutError.
engine = create_async_engine(DATABASE_URL, pool_size=2, max_overflow=2, pool_timeout=5)
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
