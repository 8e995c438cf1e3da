"""A price ticker: the worked example of chapter 23 (streaming and server-sent events).

Three ways to send a body that is not ready all at once: a CSV download streamed row by row,
a finite event stream that a reconnecting browser can resume, and a live feed that stops its
subscription when the client leaves.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Header
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel


class Quote(BaseModel):
    seq: int
    symbol: str
    price: float


class Subscription:
    """Live quotes for one client. `close()` releases what the exchange keeps for it."""

    def __init__(self, symbol: str, limit: int | None) -> None:
        self.symbol = symbol
        self.limit = limit
        self.closed = False
        self.sent = 0

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Quote:
        if self.closed or (self.limit is not None and self.sent >= self.limit):
            raise StopAsyncIteration
        await asyncio.sleep(0.01)  # the exchange sends the next trade
        self.sent += 1
        return Quote(seq=self.sent, symbol=self.symbol, price=100 + self.sent / 4)

    def close(self) -> None:
        self.closed = True


class Exchange:
    """Stands in for a market-data service."""

    def __init__(self, live_limit: int | None = None) -> None:
        self.live_limit = live_limit
        self.subscriptions: list[Subscription] = []

    async def history(self, symbol: str) -> AsyncIterator[Quote]:
        for seq in range(1, 6):
            await asyncio.sleep(0.01)  # one page of history at a time
            yield Quote(seq=seq, symbol=symbol, price=90 + seq)

    def subscribe(self, symbol: str) -> Subscription:
        subscription = Subscription(symbol, self.live_limit)
        self.subscriptions.append(subscription)
        return subscription


def get_exchange() -> Exchange:
    return Exchange()


ExchangeDep = Annotated[Exchange, Depends(get_exchange)]

app = FastAPI(title="Ticker")


async def csv_rows(exchange: Exchange, symbol: str) -> AsyncIterator[str]:
    yield "seq,symbol,price\n"
    async for quote in exchange.history(symbol):
        yield f"{quote.seq},{quote.symbol},{quote.price}\n"


@app.get("/prices/{symbol}/history.csv")
async def price_history(symbol: str, exchange: ExchangeDep) -> StreamingResponse:
    return StreamingResponse(csv_rows(exchange, symbol), media_type="text/csv")


@app.get("/prices/{symbol}/events", response_class=EventSourceResponse)
async def price_events(
    symbol: str,
    exchange: ExchangeDep,
    last_event_id: Annotated[int | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    async for quote in exchange.history(symbol):
        if last_event_id is not None and quote.seq <= last_event_id:
            continue  # the browser saw this one before it reconnected
        yield ServerSentEvent(data=quote, event="quote", id=str(quote.seq))


@app.get("/prices/{symbol}/live", response_class=EventSourceResponse)
async def live_prices(symbol: str, exchange: ExchangeDep) -> AsyncIterator[ServerSentEvent]:
    subscription = exchange.subscribe(symbol)
    try:
        async for quote in subscription:
            yield ServerSentEvent(data=quote, event="quote")
    finally:
        subscription.close()  # also when the client hangs up: the generator is cancelled
