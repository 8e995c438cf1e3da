"""Checks for chapter 21, exercise 2: the background job never uses the request's session.

`get_db` is overridden, so the check knows which session object the request got. SQLAlchemy's
`after_begin` session event records every session that starts a transaction, and a middleware
notes when the response left; a request's session that begins a transaction after that was
used by the background job.
"""

from types import ModuleType

from checks.ch21_background_work.conftest import (
    ORDER,
    Clock,
    ResponseClock,
    SessionUse,
    receipts,
)
from fastlings.testing import Teach, WireFactory


async def test_receipt_lands(
    quick_mail: float, module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    async with wire() as wired:
        response = await wired.client.post("/orders", json=ORDER)
        assert response.status_code == 201, teach(
            f"POST /orders {ORDER} answered {response.status_code} {response.text[:200]}.",
            "201 with the stored order",
        )
        stored = await receipts(wired.engine)
    order_id = response.json()["id"]
    assert stored == [(order_id, "sent")], teach(
        f"After POST /orders had finished, background work included, the receipts table held "
        f"{stored}.",
        f"one receipt [({order_id}, 'sent')], written by the job",
    )


async def test_job_never_uses_the_request_session(
    quick_mail: float,
    module: ModuleType,
    wire: WireFactory,
    clock: Clock,
    session_use: SessionUse,
    teach: Teach,
) -> None:
    module.app.add_middleware(ResponseClock, clock=clock)
    async with wire() as wired:
        response = await wired.client.post("/orders", json=ORDER)
        stored = await receipts(wired.engine)
    assert response.status_code == 201 and stored, teach(
        f"POST /orders answered {response.status_code} {response.text[:200]}, and the receipts "
        f"table held {stored}.",
        "201, and the receipt written by the background job",
    )
    assert wired.sessions, teach(
        "POST /orders stored the order without asking for a session through Depends(get_db).",
        "the endpoint's session comes from `db: Annotated[AsyncSession, Depends(get_db)]`",
    )
    request_sessions = [s.sync_session for s in wired.sessions]
    after = session_use.after_response()
    reused = [s for s in after if any(s is r for r in request_sessions)]
    assert not reused, teach(
        "After the response had been sent, the request's own session (the one get_db handed "
        "to the endpoint) began a new transaction: the background job wrote its receipt with "
        "the request's session.",
        "the job opens a session of its own: pass it the sessionmaker (e.g. "
        "`request.app.state.sessionmaker`, or a dependency that returns it) and use "
        "`async with sessions() as session:` inside the job",
    )
    assert after, teach(
        "No session began a transaction after the response had been sent, yet a receipt is "
        "stored: the receipt was written before the response left.",
        "the receipt job runs after the response (BackgroundTasks), in its own session",
    )
