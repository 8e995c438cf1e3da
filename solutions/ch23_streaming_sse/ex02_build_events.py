"""Chapter 23, exercise 2: the reference solution.

The path operation yields `ServerSentEvent`s under `response_class=EventSourceResponse`: FastAPI
writes the event-stream format (JSON data, one `data:` line per line), sets the headers that
keep proxies from buffering, and documents the stream in OpenAPI.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Depends, FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel


class Step(BaseModel):
    n: int
    name: str
    status: Literal["ok", "failed"]
    message: str


class BuildRunner:
    """Stands in for a CI runner: each step of a build, as it finishes."""

    async def steps(self, build_id: int) -> AsyncIterator[Step]:
        for n, name in enumerate(("checkout", "install", "test", "package"), start=1):
            await asyncio.sleep(0.2)  # the build works on this step
            yield Step(n=n, name=name, status="ok", message=f"build {build_id}: {name} done")


def get_runner() -> BuildRunner:
    return BuildRunner()


RunnerDep = Annotated[BuildRunner, Depends(get_runner)]

app = FastAPI(title="Fastlings builds")


# FastAPI encodes each yielded event: `data` as JSON (a line break in a message is escaped as
# `\n`, so it cannot end the line), then `event:` and `id:` lines. It also sends
# `Content-Type: text/event-stream`, `Cache-Control: no-cache` and `X-Accel-Buffering: no`, and
# a `: ping` comment when the generator is quiet for 15 s.
@app.get("/builds/{build_id}/events", response_class=EventSourceResponse)
async def build_events(build_id: int, runner: RunnerDep) -> AsyncIterator[ServerSentEvent]:
    async for step in runner.steps(build_id):
        # the id lets a reconnecting EventSource say where it stopped (`Last-Event-ID`)
        yield ServerSentEvent(data=step, event="step", id=str(step.n))
