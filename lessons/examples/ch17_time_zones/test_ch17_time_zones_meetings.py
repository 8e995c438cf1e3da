"""Tests of the chapter 17 worked example: meetings booked from several time zones."""

import importlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text


@pytest.fixture
def meetings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'meetings.db'}")
    module = importlib.import_module("lessons.examples.ch17_time_zones.meetings")
    return importlib.reload(module)  # a fresh engine on this test's database


@pytest.fixture
async def client(meetings: ModuleType) -> AsyncIterator[AsyncClient]:
    app = meetings.app
    transport = ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


async def test_an_offset_comes_back_as_the_same_instant_in_utc(client: AsyncClient) -> None:
    created = await client.post(
        "/meetings", json={"topic": "Plan", "at": "2026-05-04T09:00:00+02:00"}
    )
    assert created.status_code == 201
    listed = (await client.get("/meetings")).json()
    assert listed[0]["at"] == "2026-05-04T07:00:00Z"


async def test_naive_input_is_a_422(client: AsyncClient) -> None:
    response = await client.post("/meetings", json={"topic": "Plan", "at": "2026-05-04T09:00:00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "at"]
    assert (
        await client.get("/meetings", params={"before": "2026-05-04T09:00:00"})
    ).status_code == 422


async def test_sqlite_holds_utc_text(client: AsyncClient, meetings: ModuleType) -> None:
    await client.post("/meetings", json={"topic": "Plan", "at": "2026-05-04T09:00:00+02:00"})
    async with meetings.engine.connect() as conn:
        raw = await conn.scalar(text("SELECT at FROM meetings"))
    assert raw == "2026-05-04 07:00:00.000000"  # no offset in the text: UTC by convention


async def test_before_and_order_compare_instants(client: AsyncClient) -> None:
    booked = [
        ("Sydney", "2026-05-04T16:30:00+10:00"),  # 06:30 UTC
        ("Berlin", "2026-05-04T09:00:00+02:00"),  # 07:00 UTC
        ("Chicago", "2026-05-04T01:45:00-05:00"),  # 06:45 UTC
    ]
    for topic, at in booked:
        await client.post("/meetings", json={"topic": topic, "at": at})
    everything = (await client.get("/meetings")).json()
    assert [m["topic"] for m in everything] == ["Sydney", "Chicago", "Berlin"]
    denver = timezone(timedelta(hours=-6))
    before = datetime(2026, 5, 4, 6, 45, tzinfo=UTC).astimezone(denver).isoformat()
    assert before == "2026-05-04T00:45:00-06:00"
    earlier = (await client.get("/meetings", params={"before": before})).json()
    assert [m["topic"] for m in earlier] == ["Sydney"]
