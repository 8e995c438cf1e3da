import time

import httpx

from lessons.examples.ch10_middleware_cors import server_timing


async def test_server_timing_reports_the_request_in_milliseconds() -> None:
    transport = httpx.ASGITransport(app=server_timing.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        started = time.monotonic()
        answer = await http.get("/books/search", params={"q": "du"})
        wall_ms = (time.monotonic() - started) * 1000
    assert answer.json() == ["Dune"]
    header = answer.headers["server-timing"]
    assert header.startswith("app;dur=")
    reported = float(header.removeprefix("app;dur="))
    assert 45 <= reported <= wall_ms + 1
