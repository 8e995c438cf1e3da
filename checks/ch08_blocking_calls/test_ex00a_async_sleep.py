"""Checks for chapter 8, step 1: a failed login waits without freezing the event loop.

The checks set the module's FAILED_LOGIN_DELAY to DELAY (a few tens of milliseconds), then time
wrong-password logins: each must still wait about that long (lower and upper bound), and the
event loop must keep serving while it does.
"""

from collections.abc import AsyncIterator, Awaitable
from types import ModuleType

import pytest
from httpx import AsyncClient, Response

from checks.ch08_blocking_calls import _timing as timing
from fastlings.testing import ClientFactory, Teach, require

ADA = {"username": "ada", "password": "correct horse battery staple"}
WRONG = {"username": "ada", "password": "Tr0ub4dor&3"}


@pytest.fixture
async def client(
    module: ModuleType, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, lesson: str
) -> AsyncIterator[AsyncClient]:
    require(module, "FAILED_LOGIN_DELAY", "the delay constant FAILED_LOGIN_DELAY", lesson)
    monkeypatch.setattr(module, "FAILED_LOGIN_DELAY", timing.DELAY)
    async with make_client(module.app) as http:
        yield http


Measured = timing.Measured[Response]  # the timings of one checks file, kept across its checks


@pytest.fixture(scope="module")
def measured() -> Measured:
    return timing.Measured()


def send_wrong(client: AsyncClient) -> Awaitable[Response]:
    return client.post("/login", json=WRONG)


def assert_refused(response: Response, teach: Teach) -> None:
    assert response.status_code == 401, teach(
        f"POST /login with a wrong password answered {response.status_code}: {response.text[:200]}",
        "401 after the delay, as before: only the way of waiting changes",
    )


async def test_wrong_password_waits_the_delay(client: AsyncClient, teach: Teach) -> None:
    right = await client.post("/login", json=ADA)
    assert right.status_code == 200, teach(
        f"POST /login with the right password answered {right.status_code}: {right.text[:200]}",
        "200 with the username: the right password is let in at once",
    )
    response, seconds = await timing.timed(send_wrong(client))
    assert_refused(response, teach)
    too_soon = seconds < timing.DELAY * 0.8
    why = (
        "it answered before the delay was over (a sleep that is never awaited, "
        "`asyncio.sleep(...)` without `await`, does not wait at all)"
        if too_soon
        else "it waited far longer than FAILED_LOGIN_DELAY: probably the wait does not read "
        "the setting when the request runs (a hard-coded number, or a value copied at import)"
    )
    assert not too_soon and seconds < timing.DELAY + 0.25, teach(
        f"With FAILED_LOGIN_DELAY = {timing.DELAY:g}, a wrong password was answered after "
        f"{seconds * 1000:.0f} ms: {why}.",
        f"about {timing.DELAY * 1000:.0f} ms: wait FAILED_LOGIN_DELAY seconds, read when the "
        "request runs, and await the wait",
    )


async def test_concurrent_failed_logins_overlap(
    client: AsyncClient, measured: Measured, teach: Teach
) -> None:
    found = await measured.burst(lambda: send_wrong(client))
    for response in found.responses:
        assert_refused(response, teach)
    assert found.ratio < timing.MAX_RATIO, teach(
        f"One wrong login took {found.single * 1000:.0f} ms and {timing.CONCURRENT} at once "
        f"{found.together * 1000:.0f} ms ({found.ratio:.1f}x): {timing.serialised_cause(found)}.",
        f"about the time of one (under {timing.MAX_RATIO:g}x): each request waits on its own, and "
        "the others go on meanwhile",
    )


async def test_event_loop_keeps_ticking(
    client: AsyncClient, measured: Measured, teach: Teach
) -> None:
    response, stall = await measured.stall(lambda: send_wrong(client))
    assert_refused(response, teach)
    assert stall < timing.STALL_LIMIT, teach(
        f"While wrong logins waited ({timing.DELAY * 1000:.0f} ms each), the event loop stood "
        f"still for {stall * 1000:.0f} ms: no other request, timer or task could run. `time.sleep` "
        "blocks the thread that calls it, and inside `async def` that is the loop's thread.",
        "the loop never stalls: inside `async def`, wait with `await asyncio.sleep(...)`",
    )
