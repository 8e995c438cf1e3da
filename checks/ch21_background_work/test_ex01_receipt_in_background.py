"""Checks for chapter 21, exercise 1: the receipt is sent after the response, not before.

The mail provider in the learner's file sleeps SHOP_MAIL_DELAY seconds (set here). A
middleware notes when the response leaves the app; the client's call returns once the app has
finished everything, background tasks included. Both are compared with the delay as ratios,
so a slow machine slows all of them alike.
"""

import time
from types import ModuleType

from checks.ch21_background_work.conftest import ORDER, Clock, ResponseClock, receipts
from fastlings.testing import Teach, WireFactory

EARLY = 0.5  # the response must leave within half the provider's delay
LATE = 0.8  # and the receipt job must still take (at least most of) the delay


async def test_order_is_stored_and_receipt_lands(
    quick_mail: float, module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    async with wire() as wired:
        response = await wired.client.post("/orders", json=ORDER)
        assert response.status_code == 201, teach(
            f"POST /orders {ORDER} answered {response.status_code} {response.text[:200]}.",
            "201 with the stored order",
        )
        order_id = response.json()["id"]
        stored = await receipts(wired.engine)
    assert stored == [(order_id, "sent")], teach(
        f"After POST /orders had finished (background work included), the receipts table held "
        f"{stored}.",
        f"one receipt [({order_id}, 'sent')]: the receipt job still runs, after the response",
    )


async def test_response_does_not_wait_for_the_mail(
    mail_delay: float, module: ModuleType, wire: WireFactory, clock: Clock, teach: Teach
) -> None:
    module.app.add_middleware(ResponseClock, clock=clock)
    async with wire() as wired:
        for _attempt in range(3):
            clock.sent_at.clear()
            start = time.perf_counter()
            response = await wired.client.post("/orders", json=ORDER)
            finished = time.perf_counter() - start
            answered = (clock.sent_at[0] if clock.sent_at else time.perf_counter()) - start
            # Again only when a busy machine may have stalled a response that did not wait for
            # the mail: one that waited takes the whole delay or more, every time.
            if answered < EARLY * mail_delay or answered >= mail_delay:
                break
    assert response.status_code == 201, teach(
        f"POST /orders answered {response.status_code} {response.text[:200]}.", "201"
    )
    assert answered < EARLY * mail_delay, teach(
        f"With a mail provider that takes {mail_delay:g} s, the response left the app after "
        f"{answered:.2f} s ({answered / mail_delay:.1f}x the provider's delay): the client "
        "waited for its receipt to be mailed.",
        f"the response leaves within {EARLY:g}x the delay: add the receipt job to "
        "`BackgroundTasks` (`background_tasks.add_task(send_receipt, ...)`), which runs it "
        "after the response has been sent",
    )
    assert finished > LATE * mail_delay, teach(
        f"The whole request, receipt job included, took {finished:.2f} s, under "
        f"{LATE:g}x the provider's {mail_delay:g} s: the receipt was not mailed (or not waited "
        "for).",
        "the receipt job still mails the receipt, after the response; it is moved, not dropped",
    )
