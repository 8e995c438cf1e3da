"""Tests for the chapter 6 worked example: 404, 422, 409, and a session still usable after."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lessons.examples.ch06_http_errors import library


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    test_engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'library.db'}")
    async with test_engine.begin() as conn:
        await conn.run_sync(library.Base.metadata.create_all)
    yield test_engine
    await test_engine.dispose()


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """Every request shares ONE session, as a test suite's transaction would: a session left
    in a failed transaction shows up on the next request."""
    async with async_sessionmaker(engine, expire_on_commit=False)() as shared:
        shared.add(library.Book(id=300, title="Middlemarch"))
        await shared.commit()

        async def same_session() -> AsyncIterator[AsyncSession]:
            yield shared

        library.app.dependency_overrides[library.get_session] = same_session
        async with AsyncClient(
            transport=ASGITransport(app=library.app, raise_app_exceptions=False),
            base_url="http://test",
        ) as http:
            yield http
    library.app.dependency_overrides.clear()


async def test_missing_book_is_a_404_with_a_detail(client: AsyncClient) -> None:
    assert (await client.get("/books/300")).json() == {"id": 300, "title": "Middlemarch"}
    missing = await client.get("/books/301")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Book not found"}


@pytest.mark.parametrize("raw", ["abc", "1.5", "0"])
async def test_malformed_id_is_a_422_naming_the_parameter(client: AsyncClient, raw: str) -> None:
    response = await client.get(f"/books/{raw}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "book_id"]


async def test_duplicate_card_is_a_409_and_the_session_still_works(client: AsyncClient) -> None:
    first = await client.post("/members", json={"card_number": "C-1001", "name": "Ada"})
    again = await client.post("/members", json={"card_number": "C-1001", "name": "Grace"})
    after = await client.post("/members", json={"card_number": "C-1002", "name": "Grace"})
    assert (first.status_code, again.status_code, after.status_code) == (201, 409, 201)
    assert again.json() == {"detail": "Card number already in use"}


async def test_other_database_failures_stay_500(client: AsyncClient, engine: AsyncEngine) -> None:
    def locked(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO members"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    event.listen(engine.sync_engine, "before_cursor_execute", locked)
    try:
        response = await client.post("/members", json={"card_number": "C-2001", "name": "Ada"})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", locked)
    assert response.status_code == 500
