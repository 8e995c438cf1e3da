"""Chapter 20, exercise 3: the database engine belongs to the lifespan too.

The HTTP client is already right (exercise 2). The engine is not: it is created while the
module is imported, from `DATABASE_URL` as it was then, and the lifespan never disposes of it,
so its pooled connections stay open after the app stops. Every `# TODO:` marks a place to
change. Run the checks with:

    pytest checks/ch20_settings_lifespan/test_ex03_lifespan_engine.py

The lesson: lessons/ch20_settings_lifespan.md
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


# TODO: the engine is created while the module is imported, from the settings of that moment,
# and nothing disposes of it. Create it (and its sessionmaker) when the app starts, keep them
# where requests can reach them, and dispose of the engine when the app stops.
engine = create_async_engine(get_settings().database_url)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


# TODO: hand out sessions from the sessionmaker the lifespan made, not the module-level one.
async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    # TODO: this is the engine made at import. Create it here, from `settings`, and keep its
    # sessionmaker where get_db can reach it.
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with httpx.AsyncClient(base_url=settings.rates_url, timeout=5.0) as client:
        app.state.rates_client = client
        yield
    # TODO: the engine's pool is still open here.


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
