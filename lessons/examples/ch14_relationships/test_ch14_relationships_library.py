"""Tests for the chapter 14 worked example: statement counts, loaders and lazy="raise"."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from lessons.examples.ch14_relationships import library


@pytest.fixture
async def sessions(
    tmp_path: Path,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], list[str]]]:
    """A fresh database with 3 authors (2 books each) and a list of the SQL statements run."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'library.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(library.Base.metadata.create_all)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        for a in range(1, 4):
            author = library.Author(id=a, name=f"author {a}")
            session.add(author)
            session.add_all(
                library.Book(id=10 * a + b, title=f"book {b}", author=author) for b in range(2)
            )
        await session.commit()
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    yield maker, statements
    await engine.dispose()


@pytest.fixture
async def client(
    sessions: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> AsyncIterator[AsyncClient]:
    maker, _ = sessions

    async def get_db() -> AsyncIterator[AsyncSession]:
        async with maker() as session:
            yield session

    library.app.dependency_overrides[library.get_db] = get_db
    async with AsyncClient(transport=ASGITransport(app=library.app), base_url="http://t") as c:
        yield c
    library.app.dependency_overrides.clear()


async def test_one_query_each_costs_n_plus_one(
    sessions: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> None:
    maker, statements = sessions
    async with maker() as db:
        authors = await library.authors_one_query_each(db)
    assert [len(a.books) for a in authors] == [2, 2, 2]
    assert len(statements) == 1 + 3


async def test_selectinload_costs_two_statements(
    client: AsyncClient, sessions: tuple[async_sessionmaker[AsyncSession], list[str]]
) -> None:
    _, statements = sessions
    response = await client.get("/authors")
    assert response.status_code == 200
    assert response.json()[0] == {
        "id": 1,
        "name": "author 1",
        "books": [{"id": 10, "title": "book 0"}, {"id": 11, "title": "book 1"}],
    }
    assert len(statements) == 2
    assert "IN (" in statements[1]


async def test_joinedload_costs_one_statement(
    client: AsyncClient, sessions: tuple[async_sessionmaker[AsyncSession], list[str]]
) -> None:
    _, statements = sessions
    response = await client.get("/books")
    assert response.status_code == 200
    assert response.json()[0] == {
        "id": 10,
        "title": "book 0",
        "author": {"id": 1, "name": "author 1"},
    }
    assert len(statements) == 1
    assert "JOIN" in statements[0]


async def test_get_with_options_and_404(client: AsyncClient) -> None:
    found = await client.get("/authors/2")
    assert found.status_code == 200 and len(found.json()["books"]) == 2
    assert (await client.get("/authors/99")).status_code == 404


async def test_unloaded_relationship_raises(
    sessions: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> None:
    maker, _ = sessions
    async with maker() as db:
        author = await db.get(library.Author, 1)
        assert author is not None
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            _ = author.books


async def test_response_without_relationship_needs_no_loader(client: AsyncClient) -> None:
    response = await client.get("/authors-names")
    assert response.status_code == 200
    assert response.json()[0] == {"id": 1, "name": "author 1"}
