"""Chapter 23, exercise 2: server-sent events that a browser's EventSource can trust.

`GET /builds/{build_id}/events` tells a dashboard about each step of a CI build as it finishes,
as server-sent events: one `step` event per step, whose `id` is the step's number and whose
`data` is the step as JSON. The endpoint writes the event-stream format by hand. Every
`# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch23_streaming_sse/test_ex02_build_events.py

The lesson: lessons/ch23_streaming_sse.md
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Depends, FastAPI
from fastapi.responses import StreamingResponse
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


# TODO: these frames are written by hand, and the format is easy to get wrong. The data is the
# bare message instead of the step as JSON, and a message that contains a line break ends the
# `data:` line early: the client reads the rest as other fields (a line "id: 99" in a message
# becomes the event's id). Nothing tells proxies and browsers not to cache or buffer the
# stream, and the OpenAPI document says the answer is JSON. Let FastAPI write the events.
@app.get("/builds/{build_id}/events")
async def build_events(build_id: int, runner: RunnerDep):
    async def frames():
        async for step in runner.steps(build_id):
            yield f"event: step\nid: {step.n}\ndata: {step.message}\n\n"

    return StreamingResponse(frames(), media_type="text/event-stream")
