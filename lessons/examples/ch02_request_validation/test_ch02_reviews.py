"""Tests of the chapter 2 worked example: which reviews get 422, and what is stored."""

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

GOOD = {"reviewer_email": "kim@example.com", "title": "Dune", "stars": 5}


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AsyncClient]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'reviews.db'}")
    import lessons.examples.ch02_request_validation.reviews as module

    app = importlib.reload(module).app
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reviewer_email": "kim@"}, "reviewer_email"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"stars": 0}, "stars"),
        ({"stars": 6}, "stars"),
        ({"stars": None}, "stars"),
    ],
)
async def test_invalid_review_gets_422_naming_the_field(
    client: AsyncClient, change: dict[str, Any], field: str
) -> None:
    response = await client.post("/reviews", json={**GOOD, **change})
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]


async def test_missing_required_field_gets_422(client: AsyncClient) -> None:
    body = {k: v for k, v in GOOD.items() if k != "stars"}
    response = await client.post("/reviews", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"


@pytest.mark.parametrize("change", [{"stars": 1}, {"stars": 5}, {"title": "x" * 120}, {}])
async def test_edges_are_accepted(client: AsyncClient, change: dict[str, Any]) -> None:
    response = await client.post("/reviews", json={**GOOD, **change})
    assert response.status_code == 201


async def test_undeclared_fields_are_dropped_or_refused(client: AsyncClient) -> None:
    forged = {**GOOD, "is_featured": True, "id": 4242}
    dropped = await client.post("/reviews", json=forged)
    assert dropped.status_code == 201
    assert dropped.json()["is_featured"] is False and dropped.json()["id"] != 4242
    refused = await client.post("/reviews/strict", json=forged)
    assert refused.status_code == 422
    assert {e["type"] for e in refused.json()["detail"]} == {"extra_forbidden"}
