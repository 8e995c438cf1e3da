"""Chapter 20, exercise 2: the HTTP client belongs to the lifespan.

The shop converts prices with an exchange-rates service. Its `httpx.AsyncClient` is created
while the module is imported, from settings read at that moment, and nothing ever closes it:
its connections stay open after the app stops, and every import (a test, a script, a worker)
builds one. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch20_settings_lifespan/test_ex02_lifespan_http_client.py

The lesson: lessons/ch20_settings_lifespan.md
"""

from functools import lru_cache

import httpx
from fastapi import FastAPI
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


# TODO: this client is created while the module is imported (reading the settings then), and
# it is never closed. Create it when the app starts, close it when the app stops, and let the
# endpoint reach it through the app (app.state) or a dependency.
rates_client = httpx.AsyncClient(base_url=get_settings().rates_url, timeout=5.0)


app = FastAPI(title="Fastlings shop")


# TODO: the endpoint uses the client made at import; let it receive the app's client.
@app.get("/convert")
async def convert(amount: float, currency: str) -> Conversion:
    response = await rates_client.get(f"/rates/{currency}")
    response.raise_for_status()
    rate = float(response.json()["rate"])
    return Conversion(amount=amount, currency=currency, rate=rate, converted=amount * rate)
