"""Tests for the chapter 7 worked example: every 201 is stored, both changes or neither."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from lessons.examples.ch07_transactions import loans


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    test_engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'loans.db'}")
    async with test_engine.begin() as conn:
        await conn.run_sync(loans.Base.metadata.create_all)
        await conn.execute(
            insert(loans.Book), [{"id": 300, "title": "Beloved", "copies_on_shelf": 2}]
        )
    yield test_engine
    await test_engine.dispose()


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    factory = async_sessionmaker(engine, expire_on_commit=False)

    async def test_session() -> AsyncIterator[AsyncSession]:
        async with factory() as session:
            yield session

    loans.app.dependency_overrides[loans.get_session] = test_session
    transport = ASGITransport(app=loans.app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    loans.app.dependency_overrides.clear()


async def shelf(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        copies = await conn.scalar(select(loans.Book.copies_on_shelf).where(loans.Book.id == 300))
        count = await conn.scalar(select(func.count()).select_from(loans.Loan))
    return int(copies or 0), int(count or 0)


async def test_a_loan_is_stored_before_its_201(client: AsyncClient, engine: AsyncEngine) -> None:
    response = await client.post("/loans", json={"book_id": 300, "member": "ada"})
    assert response.status_code == 201
    assert await shelf(engine) == (1, 1)


async def test_the_same_loan_twice_is_a_409_and_changes_nothing(
    client: AsyncClient, engine: AsyncEngine
) -> None:
    await client.post("/loans", json={"book_id": 300, "member": "ada"})
    again = await client.post("/loans", json={"book_id": 300, "member": "ada"})
    assert again.status_code == 409
    assert await shelf(engine) == (1, 1)


async def test_a_failed_loan_keeps_the_copy_on_the_shelf(
    client: AsyncClient, engine: AsyncEngine
) -> None:
    def refuse(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO loans"):
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine.sync_engine, "before_cursor_execute", refuse)
    try:
        response = await client.post("/loans", json={"book_id": 300, "member": "ada"})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", refuse)
    assert response.status_code == 500
    assert await shelf(engine) == (2, 0)


async def test_a_return_puts_the_copy_back(client: AsyncClient, engine: AsyncEngine) -> None:
    response = await client.post("/returns", json={"book_id": 300, "member": "ada"})
    assert response.status_code == 204
    assert (await shelf(engine))[0] == 3
