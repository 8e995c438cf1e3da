"""Chapter 20, exercise 3: the reference solution.

The lifespan creates the engine from the settings of start-up time, keeps its sessionmaker on
`app.state`, and disposes of the engine when the app stops; `get_db` hands out sessions from
that sessionmaker. Importing the module creates nothing and reads nothing from the environment.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, Request, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Settings(BaseSettings):
    """Read from DATABASE_URL and SHOP_RATES_URL (or their defaults)."""

    model_config = SettingsConfigDict(env_prefix="SHOP_")

    database_url: str = Field("sqlite+aiosqlite:///./fastlings.db", validation_alias="DATABASE_URL")
    rates_url: str = "https://rates.example.com"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(100))
    amount: Mapped[float]
    currency: Mapped[str] = mapped_column(String(3))
    amount_eur: Mapped[float]


# Everything the app needs for its whole life is made here, at start-up, and released after
# `yield`, at shutdown. The `try/finally` disposes of the engine even if start-up fails later.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        app.state.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        async with httpx.AsyncClient(base_url=settings.rates_url, timeout=5.0) as client:
            app.state.rates_client = client
            yield
    finally:
        await engine.dispose()


# Sessions come from the sessionmaker the lifespan made for this app.
async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker = cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)
    async with sessionmaker() as session:
        yield session


def get_rates_client(request: Request) -> httpx.AsyncClient:
    return cast(httpx.AsyncClient, request.app.state.rates_client)


SessionDep = Annotated[AsyncSession, Depends(get_db)]
RatesClient = Annotated[httpx.AsyncClient, Depends(get_rates_client)]


class OrderCreate(BaseModel):
    item: str = Field(min_length=1, max_length=100)
    amount: float = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class OrderRead(OrderCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    amount_eur: float


app = FastAPI(title="Fastlings shop", lifespan=lifespan)


@app.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderRead)
async def create_order(payload: OrderCreate, db: SessionDep, rates: RatesClient) -> Order:
    response = await rates.get(f"/rates/{payload.currency}")
    response.raise_for_status()
    order = Order(**payload.model_dump(), amount_eur=payload.amount / response.json()["rate"])
    db.add(order)
    await db.commit()
    return order
