"""Chapter 8, step 2: a synchronous library call that does not freeze the server.

`GET /orders/{order_id}/receipt` renders a receipt with a vendor's library. The library is
synchronous and always will be: it blocks the thread that calls it while it renders. You cannot
change it (the checks swap in their own copy, which blocks just the same). Every `# TODO:` marks
a place to change. Run the checks with:

    pytest checks/ch08_blocking_calls/test_ex00b_sync_library_off_the_loop.py

The lesson: lessons/ch08_blocking_calls.md
"""

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
    # TODO: while the renderer works, the whole server waits with it: inside `async def` this
    # call blocks the event loop's own thread, so every other request queues behind each
    # receipt. The renderer must still run (its receipt is the answer), but somewhere that
    # blocking is harmless, so that the loop serves other requests meanwhile.
    text = render_receipt(order)
    return Receipt(order_id=order.id, text=text)
