"""Chapter 10, exercise 2: the reference solution.

CORS answers only the two front-end origins, by exact match, with credentials; every other
origin gets no Access-Control-Allow-Origin header, so browsers keep the response from it.
"""

from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

# Exact origins: scheme + host (+ port), the way the browser sends them, with no trailing
# slash. In a real deployment this list comes from settings, one entry per front-end.
ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com"]

app = FastAPI(
    title="Fastlings shop",
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=ALLOWED_ORIGINS,  # never "*" together with credentials
            allow_credentials=True,  # the front-ends send the session cookie
            allow_methods=["GET", "POST"],  # what the front-ends call, nothing more
            allow_headers=["Content-Type", "Authorization"],
        )
    ],
)


class OrderCreate(BaseModel):
    item_id: int
    quantity: int


@app.get("/me")
async def read_me() -> dict[str, str]:
    return {"name": "Ada Lovelace", "email": "ada@example.com"}


@app.post("/orders", status_code=201)
async def create_order(order: OrderCreate) -> dict[str, int]:
    return {"item_id": order.item_id, "quantity": order.quantity}
