"""Chapter 23, exercise 1: the reference solution.

The endpoint returns a `StreamingResponse` over the runner's async iterator: each line goes out
as soon as the runner yields it, so the client reads the log while the build runs.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import StreamingResponse


class BuildRunner:
    """Stands in for a CI runner: the lines of a build's log, as the build writes them."""

    async def log_lines(self, build_id: int) -> AsyncIterator[str]:
        for step in ("checkout", "install", "test", "package"):
            await asyncio.sleep(0.2)  # the build works on this step
            yield f"build {build_id}: {step} ok\n"


def get_runner() -> BuildRunner:
    return BuildRunner()


RunnerDep = Annotated[BuildRunner, Depends(get_runner)]

app = FastAPI(title="Fastlings builds")


# `StreamingResponse` sends each chunk the generator yields as soon as it is yielded: the
# client reads the first line while the build is still on the second, and the server never
# holds more than one line. `media_type` sets the Content-Type header.
@app.get("/builds/{build_id}/log", response_class=StreamingResponse)
async def build_log(build_id: int, runner: RunnerDep) -> StreamingResponse:
    return StreamingResponse(runner.log_lines(build_id), media_type="text/plain")
