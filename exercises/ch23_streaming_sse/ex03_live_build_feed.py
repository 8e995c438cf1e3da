"""Chapter 23, exercise 3: a live feed that neither freezes the server nor outlives its client.

`GET /builds/{build_id}/feed` is a server-sent event stream of a build's status: the endpoint
asks the build monitor for the status every `POLL_SECONDS`, sends each answer as a `status`
event, and ends the stream when the build has finished. `GET /builds/{build_id}` answers the
current status once. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch23_streaming_sse/test_ex03_live_build_feed.py

The lesson: lessons/ch23_streaming_sse.md
"""

import asyncio
import time
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


@app.get("/builds/{build_id}/feed", response_class=EventSourceResponse)
async def build_feed(build_id: int, monitor: MonitorDep) -> AsyncIterator[ServerSentEvent]:
    updates: asyncio.Queue[BuildStatus] = asyncio.Queue()

    async def watch() -> None:
        while True:
            status = await monitor.status(build_id)
            await updates.put(status)
            if status.finished:
                return
            # TODO: this wait holds the event loop itself: while it lasts, no other request
            # (not even a quick GET /builds/{id}) is served. Wait without blocking the loop.
            time.sleep(POLL_SECONDS)

    # TODO: nothing stops this task when the client goes away: the stream's generator is
    # cancelled, but the task polls the monitor forever, once per client that ever connected.
    # The polling must end when the stream ends.
    asyncio.create_task(watch())
    while True:
        status = await updates.get()
        yield ServerSentEvent(data=status, event="status")
        if status.finished:
            return
