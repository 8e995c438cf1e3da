"""Chapter 23, exercise 1: send a long log while it is being written, not after.

`GET /builds/{build_id}/log` answers with the log of a CI build, one line at a time as the
build runner produces them. The endpoint collects every line first and answers once the build
is over: the client stares at a blank page for the whole build. Every `# TODO:` marks a place
to change. Run the checks with:

    pytest checks/ch23_streaming_sse/test_ex01_stream_build_log.py

The lesson: lessons/ch23_streaming_sse.md
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import PlainTextResponse


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


# TODO: the whole log is collected before the first byte is sent, so the client sees nothing
# until the build is over, and the server holds every line in memory meanwhile. Send each line
# as soon as the runner yields it (the body stays the same text/plain log).
@app.get("/builds/{build_id}/log")
async def build_log(build_id: int, runner: RunnerDep):
    lines = [line async for line in runner.log_lines(build_id)]
    return PlainTextResponse("".join(lines))
