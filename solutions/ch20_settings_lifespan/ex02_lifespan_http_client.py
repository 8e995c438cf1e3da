"""Chapter 20, exercise 2: the reference solution.

The lifespan opens one `httpx.AsyncClient` when the app starts, from the settings of that
moment, keeps it on `app.state`, and closes it when the app stops (`async with`). The endpoint
reaches it through the `get_rates_client` dependency.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read from SHOP_RATES_URL (or its default)."""

    model_config = SettingsConfigDict(env_prefix="SHOP_")

    rates_url: str = "https://rates.example.com"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Conversion(BaseModel):
    amount: float
    currency: str
    rate: float
    converted: float


# Start-up: everything before `yield`; shut-down: everything after it. The `async with` closes
# the client (and its pooled connections) even when the app stops because of an error.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    async with httpx.AsyncClient(base_url=settings.rates_url, timeout=5.0) as client:
        app.state.rates_client = client
        yield


def get_rates_client(request: Request) -> httpx.AsyncClient:
    return cast(httpx.AsyncClient, request.app.state.rates_client)


RatesClient = Annotated[httpx.AsyncClient, Depends(get_rates_client)]

app = FastAPI(title="Fastlings shop", lifespan=lifespan)


@app.get("/convert")
async def convert(amount: float, currency: str, rates: RatesClient) -> Conversion:
    response = await rates.get(f"/rates/{currency}")
    response.raise_for_status()
    rate = float(response.json()["rate"])
    return Conversion(amount=amount, currency=currency, rate=rate, converted=amount * rate)
