"""Chapter 8, exercise 2: the reference solution.

The app opens one `httpx.AsyncClient` when it starts and closes it when it stops; the endpoint
gets it through a dependency and awaits the rates service, so the event loop serves other
requests while the service thinks.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel

RATES_URL = os.environ.get("RATES_URL", "https://rates.example.com")


class Conversion(BaseModel):
    amount: float
    currency: str
    rate: float
    converted: float


# An async client, awaited: while the service thinks, the event loop runs other requests.
async def fetch_rate(client: httpx.AsyncClient, currency: str) -> float:
    response = await client.get(f"/rates/{currency}")
    response.raise_for_status()
    return float(response.json()["rate"])


# One client for the app's lifetime: it keeps connections to the service open between requests.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(base_url=RATES_URL, timeout=5.0) as client:
        app.state.rates_client = client
        yield


def get_rates_client(request: Request) -> httpx.AsyncClient:
    return cast(httpx.AsyncClient, request.app.state.rates_client)


RatesClient = Annotated[httpx.AsyncClient, Depends(get_rates_client)]


app = FastAPI(title="Fastlings rates", lifespan=lifespan)


@app.get("/convert", response_model=Conversion)
async def convert(amount: float, currency: str, rates: RatesClient) -> Conversion:
    rate = await fetch_rate(rates, currency)  # awaited: the loop is free while we wait
    return Conversion(amount=amount, currency=currency, rate=rate, converted=amount * rate)
