"""Checks for chapter 21, exercise 3: a background job that fails leaves a log record.

The learner's mail provider refuses every address at bounce.example. pytest's `caplog`
collects the log records emitted while the request and its background job run; `Escapes`
(conftest) notes an exception that leaves the app after the 201, where a job that logs and
raises again sends it. Any job that handles the refusal itself passes: a `try/except` in the
job or a wrapper around it, any logger, any message that names the order, any status other
than 'sent' for the failed receipt.
"""

import logging
from types import ModuleType

import pytest

from checks.ch21_background_work.conftest import (
    ORDER,
    Escaped,
    Escapes,
    order_and_receipts,
    receipts,
)
from fastlings.testing import Teach, WireFactory

BOUNCING = {"email": "grace@bounce.example", "item": "kettle"}


def message_of(record: logging.LogRecord) -> str | None:
    """The record's message, or None when its format and arguments do not fit together."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        return None


async def test_good_address_gets_its_receipt(
    quick_mail: float, module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    response, stored = await order_and_receipts(wire)
    assert response.status_code == 201, teach(
        f"POST /orders {ORDER} answered {response.status_code} {response.text[:200]}.", "201"
    )
    assert stored == [(response.json()["id"], "sent")], teach(
        f"After an order for a deliverable address, the receipts table held {stored}.",
        "one receipt with status 'sent'",
    )


async def test_bounce_keeps_the_201_and_claims_no_receipt(
    quick_mail: float, module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    response, stored = await order_and_receipts(wire, BOUNCING)
    assert response.status_code == 201, teach(
        f"POST /orders for {BOUNCING['email']} answered {response.status_code} "
        f"{response.text[:200]}.",
        "201: the order is stored; the receipt is mailed after the response, whatever happens",
    )
    sent = [row for row in stored if row[1] == "sent"]
    assert not sent, teach(
        f"The mail provider refused {BOUNCING['email']}, and the receipts table says {sent}.",
        "no receipt marked 'sent' for a mail that was refused",
    )


async def test_failed_receipt_is_logged(
    quick_mail: float,
    module: ModuleType,
    wire: WireFactory,
    caplog: pytest.LogCaptureFixture,
    teach: Teach,
) -> None:
    caplog.set_level(logging.INFO)
    async with wire() as wired:
        response = await wired.client.post("/orders", json=BOUNCING)
    assert response.status_code == 201, teach(
        f"POST /orders for {BOUNCING['email']} answered {response.status_code}.", "201"
    )
    order_id = str(response.json()["id"])
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    app_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    seen = "; ".join(
        f"{r.levelname} {(message_of(r) or str(r.msg))[:80]!r}" for r in app_records[-3:]
    )
    assert errors, teach(
        f"The mail provider refused the receipt for order {order_id}, and the log got no "
        f"record at ERROR level ({'last records: ' + seen if seen else 'no records at all'}). "
        "Probably the job caught the error and moved on, or let it escape where nothing logs "
        "it; no one waits for a background job, so no one else will report its failure.",
        "`logger.exception(...)` (logger = logging.getLogger(__name__)) inside the `except` "
        "of the job: an ERROR record with the traceback, naming the order",
    )
    unformatted = [r for r in errors if message_of(r) is None]
    assert not unformatted, teach(
        f"The failure was logged with the format {unformatted[0].msg!r} and the arguments "
        f"{unformatted[0].args!r}, which do not fit it: logging cannot build the message.",
        "one `%s` in the format for each argument after it, e.g. "
        "`logger.exception('Receipt for order %s could not be mailed to %s', order_id, to)`",
    )
    with_traceback = [r for r in errors if r.exc_info and r.exc_info[0] is not None]
    assert with_traceback, teach(
        f"The failure was logged ({errors[0].getMessage()[:120]!r}) without its traceback.",
        "`logger.exception(...)`, or `logger.error(..., exc_info=True)`, so the record carries "
        "the exception",
    )
    named = [r for r in with_traceback if order_id in r.getMessage()]
    assert named, teach(
        f"The failure was logged as {with_traceback[0].getMessage()[:120]!r}, which does not "
        f"say which order (id {order_id}) is without its receipt.",
        "the message names the order, e.g. 'Receipt for order %s could not be mailed'",
    )


async def test_failed_job_handles_its_failure(
    quick_mail: float, module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    escaped: list[Escaped] = []
    module.app.add_middleware(Escapes, seen=escaped)
    async with wire() as wired:
        response = await wired.client.post("/orders", json=BOUNCING)
        stored = await receipts(wired.engine)
    assert response.status_code == 201, teach(
        f"POST /orders for {BOUNCING['email']} answered {response.status_code}.", "201"
    )
    order_id = response.json()["id"]
    assert not escaped, teach(
        f"The mail provider refused the receipt for order {order_id}, and "
        f"{escaped[0].words()}: the job let the error escape into the server. "
        "uvicorn logs that as a bare 'Exception in ASGI application', and the jobs queued "
        "after this one in the same request never run.",
        "the job handles its own failure: it logs it in its `except`, records a receipt "
        "that says it failed, and returns normally (no `raise` after logging)",
    )
    failed = [status for oid, status in stored if oid == order_id and status != "sent"]
    assert failed, teach(
        f"The mail provider refused the receipt for order {order_id}, and the receipts table "
        f"then held {stored}: nothing in the data says that this order's receipt failed.",
        f"a receipt for order {order_id} that says it failed (e.g. status 'failed'), which a "
        "person or a retry job can find later",
    )
