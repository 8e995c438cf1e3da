"""Chapter 21, exercise 1: the reference solution.

The endpoint stores the order, commits, and hands the receipt to `BackgroundTasks`: the
response goes out first, and the receipt job (which waits for the slow mail provider) runs
after it has been sent. The job opens its own session from the app's sessionmaker.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, cast

from fastapi import BackgroundTasks, Depends, FastAPI, Request, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Settings(BaseSettings):
    """Read from DATABASE_URL and SHOP_MAIL_DELAY (or their defaults)."""

    model_config = SettingsConfigDict(env_prefix="SHOP_")

    database_url: str = Field("sqlite+aiosqlite:///./fastlings.db", validation_alias="DATABASE_URL")
    mail_delay: float = 0.3  # seconds the mail provider takes to accept a message


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    item: Mapped[str] = mapped_column(String(100))


class Receipt(Base):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[str] = mapped_column(String(20))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_async_engine(get_settings().database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        yield
    finally:
        await engine.dispose()


def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)


Sessions = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]


async def get_db(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class MailError(Exception):
    pass


async def deliver(to: str, text: str) -> None:
    """The mail provider: slow, and it refuses every address at bounce.example."""
    await asyncio.sleep(get_settings().mail_delay)
    if to.endswith("@bounce.example"):
        raise MailError(f"mailbox unavailable: {to}")


async def send_receipt(sessions: async_sessionmaker[AsyncSession], order_id: int, to: str) -> None:
    await deliver(to, f"Thank you for order {order_id}")
    async with sessions() as session:
        session.add(Receipt(order_id=order_id, status="sent"))
        await session.commit()


class OrderCreate(BaseModel):
    email: str = Field(min_length=3, max_length=255)
    item: str = Field(min_length=1, max_length=100)


class OrderRead(OrderCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


app = FastAPI(title="Fastlings shop", lifespan=lifespan)


@app.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderRead)
async def create_order(
    payload: OrderCreate, db: SessionDep, sessions: Sessions, background_tasks: BackgroundTasks
) -> Order:
    order = Order(**payload.model_dump())
    db.add(order)
    await db.commit()
    # Runs after the response has been sent: the client does not wait for the mail provider.
    background_tasks.add_task(send_receipt, sessions, order.id, order.email)
    return order
