"""Chapter 8, step 2: the reference solution.

The vendor's renderer still blocks, but in a worker thread: `asyncio.to_thread` hands the call
to a thread and awaits its result, so the event loop serves other requests meanwhile.
(`await run_in_threadpool(render_receipt, order)` from `fastapi.concurrency`, or a plain `def`
endpoint, which FastAPI runs in a worker thread, are equally correct.)
"""

import asyncio
import time

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

RENDER_SECONDS = 0.5  # how long the vendor's renderer blocks per receipt


class Order(BaseModel):
    id: int
    customer: str
    total_cents: int


class Receipt(BaseModel):
    order_id: int
    text: str


# --- vendor code: pretend this is `from receiptkit import render_receipt`. Do not change it. ---
def render_receipt(order: Order) -> str:
    """Render a receipt. Synchronous: it blocks the calling thread for RENDER_SECONDS."""
    time.sleep(RENDER_SECONDS)  # the vendor's licence check and font loading
    return f"Receipt #{order.id}\n{order.customer}\nTotal: {order.total_cents / 100:.2f} EUR"


# --- end of vendor code ---

# A stand-in for the orders table.
ORDERS = {1042: Order(id=1042, customer="Ada Lovelace", total_cents=1250)}

app = FastAPI(title="Fastlings receipts")


@app.get("/orders/{order_id}/receipt", response_model=Receipt)
async def order_receipt(order_id: int) -> Receipt:
    order = ORDERS.get(order_id)
    if order is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Order not found")
    # The call still blocks, but a worker thread's, not the loop's: awaiting the thread's result
    # lets the loop serve other requests until the receipt is ready.
    text = await asyncio.to_thread(render_receipt, order)
    return Receipt(order_id=order.id, text=text)
