"""Chapter 8, exercise 2: call a slow web service without freezing the server.

`GET /convert` asks an exchange-rates service for a rate, then converts an amount. The service
takes its time, and the endpoint waits for it with a synchronous HTTP client inside
`async def`: one slow call holds up every other request. Every `# TODO:` marks a place to
change. Run the checks with:

    pytest checks/ch08_blocking_calls/test_ex02_async_http_client.py

The lesson: lessons/ch08_blocking_calls.md
"""

import os

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

# Where the exchange-rates service lives (the checks start their own, deliberately slow, copy).
RATES_URL = os.environ.get("RATES_URL", "https://rates.example.com")


class Conversion(BaseModel):
    amount: float
    currency: str
    rate: float
    converted: float


# TODO: this call blocks the thread that makes it until the service answers. Either it waits
# in a way that can be awaited, or it may only run where blocking is allowed (a worker thread).
def fetch_rate(currency: str) -> float:
    response = httpx.get(f"{RATES_URL}/rates/{currency}", timeout=5.0)
    response.raise_for_status()
    return float(response.json()["rate"])


# TODO: (optional, not checked) a client made per call opens a new connection to the service
# every time. One client for the app's whole lifetime would reuse its connections.
app = FastAPI(title="Fastlings rates")


@app.get("/convert", response_model=Conversion)
async def convert(amount: float, currency: str):
    # TODO: the conversion waits for the rates service without letting anything else run.
    # Wait for the rate in a way the event loop can use to serve other requests.
    rate = fetch_rate(currency)
    return Conversion(amount=amount, currency=currency, rate=rate, converted=amount * rate)
