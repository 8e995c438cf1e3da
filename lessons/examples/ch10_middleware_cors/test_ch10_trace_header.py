import httpx
import pytest
from fastapi import FastAPI

from lessons.examples.ch10_middleware_cors import crash_safe, trace_header


def client(app: FastAPI, raise_errors: bool = False) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_errors)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize("app", [trace_header.app, trace_header.function_app])
async def test_every_answer_is_stamped_with_a_fresh_token(app: FastAPI) -> None:
    async with client(app) as http:
        answers = [
            await http.get("/books/7"),
            await http.get("/books/99"),
            await http.get("/no/such/page"),
            await http.get("/books/seven"),
        ]
    assert [a.status_code for a in answers] == [200, 404, 404, 422]
    tokens = [a.headers["x-trace-token"] for a in answers]
    assert len(set(tokens)) == 4


async def test_the_crash_answer_is_stamped_and_generic() -> None:
    async with client(crash_safe.app) as http:
        crashed = await http.get("/books/7/reviews")
        found = await http.get("/books/7")
    assert crashed.status_code == 500
    assert crashed.headers["x-trace-token"]
    assert "reviews-db" not in crashed.text
    assert found.status_code == 200 and found.headers["x-trace-token"]


async def test_the_crash_still_reaches_the_server() -> None:
    async with client(crash_safe.app, raise_errors=True) as http:
        with pytest.raises(TimeoutError):
            await http.get("/books/7/reviews")


async def test_without_the_catch_the_500_is_not_stamped() -> None:
    plain = FastAPI()
    plain.add_middleware(trace_header.TraceTokenMiddleware)

    @plain.get("/boom")
    async def boom() -> None:
        raise RuntimeError("bug")

    async with client(plain) as http:
        crashed = await http.get("/boom")
    assert crashed.status_code == 500
    assert "x-trace-token" not in crashed.headers
