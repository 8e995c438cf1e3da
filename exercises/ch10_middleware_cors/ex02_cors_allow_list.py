"""Chapter 10, exercise 2: CORS from an allow-list.

Two front-ends call this API from the browser, with the user's session cookie
(`fetch(..., {credentials: "include"})`):

    https://app.example.com      the customer app
    https://admin.example.com    the back office

Those two origins, and only those, may read its responses with credentials. The starter
allows "*" with credentials, and Starlette then answers any origin at all, a phishing page
included, with `Access-Control-Allow-Origin: <that origin>` and
`Access-Control-Allow-Credentials: true`: that page can read the user's data.

Every `# TODO:` marks a place to change. Run the checks:

    pytest checks/ch10_middleware_cors/test_ex02_cors_allow_list.py

The lesson: lessons/ch10_middleware_cors.md
"""

from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

# TODO: replace "*" by the explicit list of the two front-end origins (scheme and host, no
# TODO: trailing slash, exactly as the browser sends them in the Origin header).
ALLOWED_ORIGINS = ["*"]

# TODO: allow only the methods and request headers the front-ends use.
app = FastAPI(
    title="Fastlings shop",
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=ALLOWED_ORIGINS,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
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
