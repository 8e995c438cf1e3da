"""Tests for the chapter 16 worked example: exclude_unset, null versus missing, PUT, 404."""

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from lessons.examples.ch16_partial_updates import tasks

TASK = {"id": 1, "title": "Write", "description": "chapter 16", "due_on": "2026-12-24"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'tasks.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(tasks.Base.metadata.create_all)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as db:
        db.add(
            tasks.Task(id=1, title="Write", description="chapter 16", due_on=dt.date(2026, 12, 24))
        )
        await db.commit()

    async def get_db() -> AsyncIterator[AsyncSession]:
        async with maker() as session:
            yield session

    tasks.app.dependency_overrides[tasks.get_db] = get_db
    async with AsyncClient(transport=ASGITransport(app=tasks.app), base_url="http://t") as c:
        yield c
    tasks.app.dependency_overrides.clear()
    await engine.dispose()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, TASK),
        ({"title": "Rewrite"}, {**TASK, "title": "Rewrite"}),
        ({"due_on": None}, {**TASK, "due_on": None}),
        (
            {"description": None, "due_on": "2027-01-02"},
            {**TASK, "description": None, "due_on": "2027-01-02"},
        ),
    ],
)
async def test_patch_changes_what_was_sent(
    client: AsyncClient, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = await client.patch("/tasks/1", json=body)
    assert (response.status_code, response.json()) == (200, expected)


@pytest.mark.parametrize("body", [{"title": None}, {"title": ""}, {"due_on": "someday"}])
async def test_patch_refuses_bad_values(client: AsyncClient, body: dict[str, Any]) -> None:
    assert (await client.patch("/tasks/1", json=body)).status_code == 422
    assert (await client.patch("/tasks/1", json={})).json() == TASK


async def test_put_replaces_the_whole_task(client: AsyncClient) -> None:
    response = await client.put("/tasks/1", json={"title": "Plan"})
    assert response.json() == {"id": 1, "title": "Plan", "description": None, "due_on": None}
    assert (await client.put("/tasks/1", json={"description": "no title"})).status_code == 422


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
async def test_missing_task_gets_404(client: AsyncClient, method: str) -> None:
    response = await client.request(method, "/tasks/99", json={"title": "x"})
    assert (response.status_code, response.json()) == (404, {"detail": "Task not found"})
