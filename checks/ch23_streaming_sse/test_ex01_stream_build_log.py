"""Checks for chapter 23, exercise 1: a log streamed while the build writes it.

The checks replace the app's `get_runner` with a runner whose lines come at a pace the check
sets, then watch the response arrive (see `_asgi.drive`; httpx's in-memory transport would
hand over the body only at the end).
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

from checks.ch23_streaming_sse._asgi import Recording, calmest, drive, pace_miss, paced
from fastlings.testing import ClientFactory, Teach, require

# A backslash, non-ASCII text and a line that looks like a header: all must pass unchanged.
LINES = [
    "build 512: checkout ok\n",
    "cache C:\\runner\\cache hit\n",
    "tests: 12 passed \u2713\n",
    "Content-Length: 0 (printed by a test)\n",
]
PACE = 0.015  # seconds between two lines while the build is being watched


class PacedRunner:
    def __init__(self, pace: float) -> None:
        self.pace = pace
        self.asked: list[int] = []

    async def log_lines(self, build_id: int) -> AsyncIterator[str]:
        self.asked.append(build_id)
        for line in LINES:
            await asyncio.sleep(self.pace)
            yield line


def use_runner(module: ModuleType, runner: PacedRunner, lesson: str) -> None:
    get_runner = require(module, "get_runner", "the `get_runner` dependency", lesson)
    module.app.dependency_overrides[get_runner] = lambda: runner


async def test_log_is_complete_and_plain_text(
    module: ModuleType, make_client: ClientFactory, teach: Teach, lesson: str
) -> None:
    runner = PacedRunner(pace=0.0)
    use_runner(module, runner, lesson)
    async with make_client(module.app) as client:
        response = await client.get("/builds/512/log")
    assert response.status_code == 200, teach(
        f"GET /builds/512/log answered {response.status_code}: {response.text[:200]}",
        "200 with the build's log",
    )
    assert runner.asked == [512], teach(
        f"The runner from `get_runner` was asked for the logs of builds {runner.asked}.",
        "the log of build 512, read from the runner the endpoint gets through "
        "`Depends(get_runner)`",
    )
    assert response.text == "".join(LINES), teach(
        f"The body was {response.text!r}.",
        f"every line the runner yields, unchanged and in order: {''.join(LINES)!r}",
    )
    content_type = response.headers.get("content-type", "(none)")
    assert content_type.startswith("text/plain"), teach(
        f"The response's Content-Type was {content_type}.",
        'text/plain: a `StreamingResponse` sets it from `media_type="text/plain"` (with '
        "`response_class=StreamingResponse` on a generator, FastAPI sends no Content-Type)",
    )


async def test_first_line_arrives_before_the_log_ends(
    module: ModuleType,
    make_client: ClientFactory,
    observed_app: Callable[[Any], Any],
    teach: Teach,
    lesson: str,
) -> None:
    app = observed_app(module.app)  # what it raises and answers is recorded for the screen
    runner = PacedRunner(pace=PACE)
    use_runner(module, runner, lesson)

    def arrivals(seen: Recording) -> list[float]:
        return [at for at, _ in seen.chunks]

    async with make_client(module.app):  # lifespan and overrides, as for any client
        runner.pace = 0.0
        await drive(app, "/builds/512/log")  # warm-up: first-call costs are paid here
        runner.pace = PACE
        seen = await calmest(
            lambda: drive(app, "/builds/512/log"),
            lambda seen: pace_miss(arrivals(seen), PACE),
        )
    assert seen.status == 200 and seen.text() == "".join(LINES), teach(
        f"GET /builds/512/log answered {seen.status} with {seen.text()[:200]!r}{seen.trouble()}.",
        "200 with every line of the log",
    )
    total = seen.finished_at or seen.chunks[-1][0]
    first = next(at for at, _ in seen.chunks)
    spread = seen.chunks[-1][0] - first
    produced = PACE * len(LINES)
    if first >= total / 2:
        how = "the log was held back and sent at the end"
    else:
        how = f"the later lines came together, within {spread * 1000:.0f} ms of the first"
    assert paced(arrivals(seen), PACE), teach(
        f"The runner yields a line every {PACE * 1000:.0f} ms ({produced * 1000:.0f} ms in "
        f"all); the first byte of the body arrived after {first * 1000:.0f} ms and the whole "
        f"body after {total * 1000:.0f} ms, in {len(seen.chunks)} piece(s): {how}.",
        "the first line arrives before half the log's time has passed, and the lines arrive "
        "spread out as the runner yields them: return a `StreamingResponse` over the runner's "
        "lines instead of collecting them first",
    )
