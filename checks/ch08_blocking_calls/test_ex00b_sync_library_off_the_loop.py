"""Checks for chapter 8, step 2: a blocking library call that runs off the event loop.

The checks swap the module's `render_receipt` for their own copy of the vendor's renderer: just
as synchronous (it blocks its thread for DELAY seconds with `time.sleep`), but it counts its
calls and signs its receipts. Every request must call it (a request that skips it, or a cached
receipt, is noticed) and answer its receipt, and the event loop must keep serving meanwhile.
Any way of running it in a worker thread passes: `asyncio.to_thread`, `run_in_threadpool`,
`anyio.to_thread.run_sync`, or a plain `def` endpoint.
"""

import time
from collections.abc import AsyncIterator, Awaitable
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response

from checks.ch08_blocking_calls._timing import (
    CONCURRENT,
    DELAY,
    MAX_RATIO,
    STALL_LIMIT,
    Measured,
    serialised_cause,
    too_fast,
)
from fastlings.testing import ClientFactory, Teach, require

ORDER_ID = 1042
PATH = f"/orders/{ORDER_ID}/receipt"


class Renderer:
    """The vendor's renderer as the checks ship it: synchronous, blocking, counted."""

    def __init__(self) -> None:
        self.calls = 0

    @staticmethod
    def text(order_id: int) -> str:
        return f"Receipt #{order_id} (signed by the checks' renderer)"

    def __call__(self, order: Any) -> str:
        self.calls += 1
        time.sleep(DELAY)  # blocks the calling thread, as the vendor's does
        return self.text(order.id)


@pytest.fixture
def renderer(module: ModuleType, monkeypatch: pytest.MonkeyPatch, lesson: str) -> Renderer:
    require(module, "render_receipt", "the vendor's function render_receipt, unchanged", lesson)
    stand_in = Renderer()
    if hasattr(module, "RENDER_SECONDS"):  # a wait that replaces the call stays short too
        monkeypatch.setattr(module, "RENDER_SECONDS", DELAY)
    monkeypatch.setattr(module, "render_receipt", stand_in)
    return stand_in


@pytest.fixture
async def client(
    module: ModuleType, renderer: Renderer, make_client: ClientFactory
) -> AsyncIterator[AsyncClient]:
    async with make_client(module.app) as http:
        yield http


@pytest.fixture(scope="module")
def measured() -> Measured[Response]:
    return Measured()


class Sender:
    """Sends GET PATH and counts the requests, to compare with the renderer's calls."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.sent = 0

    def __call__(self) -> Awaitable[Response]:
        self.sent += 1
        return self.client.get(PATH)


def assert_receipt(response: Response, teach: Teach) -> None:
    assert response.status_code == 200, teach(
        f"GET {PATH} answered {response.status_code}: {response.text[:200]}",
        "200 with the receipt, as before: only where the renderer runs changes",
    )
    body = response.json()
    expected = {"order_id": ORDER_ID, "text": Renderer.text(ORDER_ID)}
    assert body == expected, teach(
        f"GET {PATH} answered {body!r}.",
        f"{expected!r}: the receipt that `render_receipt(order)` returned for this request",
    )


def assert_renderer_ran(
    renderer: Renderer, sender: Sender, calls_before: int, teach: Teach
) -> None:
    calls = renderer.calls - calls_before
    assert calls == sender.sent, teach(
        f"{sender.sent} request(s) for a receipt called `render_receipt` {calls} time(s). "
        "Waiting without calling it (`await asyncio.sleep(...)`) or keeping a receipt from an "
        "earlier request leaves the work undone.",
        "one `render_receipt(order)` call per request: the vendor's code must still run, only "
        "off the event loop",
    )


async def test_receipt_comes_from_the_renderer(
    client: AsyncClient, renderer: Renderer, teach: Teach
) -> None:
    sender = Sender(client)
    response = await sender()
    if response.status_code == 200:  # say first that the renderer never ran, if it did not
        assert_renderer_ran(renderer, sender, 0, teach)
    assert_receipt(response, teach)
    missing = await client.get("/orders/4096/receipt")
    assert missing.status_code == 404, teach(
        f"GET /orders/4096/receipt (no such order) answered {missing.status_code}.",
        "404: an unknown order has no receipt",
    )


async def test_concurrent_receipts_overlap(
    client: AsyncClient, renderer: Renderer, measured: Measured[Response], teach: Teach
) -> None:
    sender = Sender(client)
    found = await measured.burst(sender)
    assert_receipt(found.responses[0], teach)
    assert_renderer_ran(renderer, sender, 0, teach)
    for response in found.responses:
        assert_receipt(response, teach)
    assert not too_fast(found.single), teach(
        f"With the renderer blocking for {DELAY * 1000:.0f} ms, one receipt was answered in "
        f"{found.single * 1000:.0f} ms: the request did not wait for the renderer.",
        "each request waits for its own receipt (in a worker thread)",
    )
    assert found.ratio < MAX_RATIO, teach(
        f"With the renderer blocking for {DELAY * 1000:.0f} ms, one receipt took "
        f"{found.single * 1000:.0f} ms and {CONCURRENT} at once {found.together * 1000:.0f} ms "
        f"({found.ratio:.1f}x): {serialised_cause(found)}.",
        f"about the time of one (under {MAX_RATIO:g}x): run the blocking call in a worker "
        "thread (`await asyncio.to_thread(...)`, `await run_in_threadpool(...)`), or make the "
        "endpoint a plain `def`",
    )


async def test_event_loop_keeps_ticking(
    client: AsyncClient, renderer: Renderer, measured: Measured[Response], teach: Teach
) -> None:
    sender = Sender(client)
    calls_before = renderer.calls
    response, stall = await measured.stall(sender)
    assert_receipt(response, teach)
    assert stall < STALL_LIMIT, teach(
        f"While receipts were rendered ({DELAY * 1000:.0f} ms each), the event loop stood still "
        f"for {stall * 1000:.0f} ms: no other request, timer or task could run. A synchronous "
        "call blocks the thread that runs it; inside `async def` (or inside an `async def` "
        "helper around it) that is the loop's thread.",
        "the loop never stalls: the renderer runs in a worker thread, and the endpoint awaits "
        "its result (or is a plain `def`)",
    )
    if sender.sent:  # the shared burst ran in the other check when this one sent nothing
        assert_renderer_ran(renderer, sender, calls_before, teach)
