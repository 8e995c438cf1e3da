import httpx
import pytest

from lessons.examples.ch10_middleware_cors import notes_cors


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=notes_cors.app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize("origin", notes_cors.NOTES_FRONT_ENDS)
async def test_front_ends_may_read_with_cookies(origin: str) -> None:
    async with client() as http:
        answer = await http.get("/notes", headers={"Origin": origin})
        preflight = await http.options(
            "/notes/1",
            headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
        )
    assert answer.headers["access-control-allow-origin"] == origin
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert preflight.status_code == 200
    assert "PUT" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.org",  # a sibling subdomain
        "https://notes.example.org.evil.net",  # starts like a front-end
        "http://notes.example.org",  # plain http
        "https://editor.example.org",  # the right host, the wrong port
        "null",
    ],
)
async def test_other_origins_get_no_allow_origin(origin: str) -> None:
    async with client() as http:
        answer = await http.get("/notes", headers={"Origin": origin})
        preflight = await http.options(
            "/notes/1",
            headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
        )
    assert "access-control-allow-origin" not in answer.headers
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
