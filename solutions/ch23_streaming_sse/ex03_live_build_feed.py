"""Chapter 23, exercise 3: the reference solution.

The generator polls the monitor itself and waits with `await asyncio.sleep`: the event loop
serves other requests between polls, and when the client hangs up, Starlette cancels the
response and FastAPI cancels the generator at the `await` it is waiting on. No task is left
behind to poll for nobody.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Depends, FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

POLL_SECONDS = 1.0  # how often the feed asks the monitor (the checks shorten it)


class BuildStatus(BaseModel):
    build_id: int
    state: Literal["queued", "running", "passed", "failed"]
    progress: int

    @property
    def finished(self) -> bool:
        return self.state in ("passed", "failed")


class BuildMonitor:
    """Stands in for the CI system's status API."""

    def __init__(self) -> None:
        self.polls = 0

    async def status(self, build_id: int) -> BuildStatus:
        self.polls += 1
        progress = min(100, self.polls * 25)
        state = "passed" if progress == 100 else "running"
        return BuildStatus(build_id=build_id, state=state, progress=progress)


def get_monitor() -> BuildMonitor:
    return BuildMonitor()


MonitorDep = Annotated[BuildMonitor, Depends(get_monitor)]

app = FastAPI(title="Fastlings builds")


@app.get("/builds/{build_id}")
async def build_status(build_id: int, monitor: MonitorDep) -> BuildStatus:
    return await monitor.status(build_id)


# The polling lives in the generator, so it lives exactly as long as the stream: a hang-up
# cancels the generator at its current `await`, and the loop stops there.
@app.get("/builds/{build_id}/feed", response_class=EventSourceResponse)
async def build_feed(build_id: int, monitor: MonitorDep) -> AsyncIterator[ServerSentEvent]:
    while True:
        status = await monitor.status(build_id)
        yield ServerSentEvent(data=status, event="status")
        if status.finished:
            return
        await asyncio.sleep(POLL_SECONDS)  # awaited: the loop serves others meanwhile
