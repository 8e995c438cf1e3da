"""Checks for chapter 6, step 2: a path id that is not an integer gets FastAPI's 422."""

from checks.ch06_http_errors._http import let_through, seed
from fastlings.testing import Teach, WiredApp, body_of

INVOICE = {"id": 300, "customer": "Ada Lovelace", "total_cents": 12_500}


async def test_existing_invoice_is_returned(wired: WiredApp, teach: Teach) -> None:
    await seed(wired.engine, wired.module.Invoice.__table__, [INVOICE])
    response = await wired.client.get("/invoices/300")
    assert response.status_code == 200 and body_of(response) == INVOICE, teach(
        f"GET /invoices/300 answered {response.status_code} {body_of(response)!r}.",
        f"200 with {INVOICE}",
    )
    missing = await wired.client.get("/invoices/301")
    assert missing.status_code == 404, teach(
        f"GET /invoices/301 (no such invoice) answered {missing.status_code}.",
        "404, as before: only malformed ids change in this step",
    )


async def test_non_integer_id_gets_422(wired: WiredApp, teach: Teach) -> None:
    for raw in ("abc", "1.5", "3e2"):
        response = await wired.client.get(f"/invoices/{raw}")
        body = body_of(response)
        assert response.status_code == 422, teach(
            f"GET /invoices/{raw} answered {response.status_code} {body!r}."
            + let_through(wired.app, "invoice_id", raw, response.status_code),
            "422 from FastAPI's own validation, before the endpoint runs: a path parameter "
            "declared as an integer",
        )
        errors = body.get("detail") if isinstance(body, dict) else None
        locations = [e.get("loc") for e in errors if isinstance(e, dict)] if errors else []
        assert ["path", "invoice_id"] in locations, teach(
            f"GET /invoices/{raw} answered 422 with {body!r}.",
            "FastAPI's validation body, whose error names the parameter: "
            "loc ['path', 'invoice_id'] (a hand-made 422 has another shape)",
        )
