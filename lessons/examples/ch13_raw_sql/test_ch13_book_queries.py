from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from lessons.examples.ch13_raw_sql import book_queries as q

BOOKS = [
    ("9780441013593", "Dune", 1965),
    ("9780141439587", "Emma", 1815),
    ("9780000000001", "100% Kotlin", 2019),
    ("9780000000002", "#hashtags_for_all", 2014),
    ("9780000000003", "It's Complicated", 2014),
]


@pytest.fixture
async def conn() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine("sqlite+aiosqlite://")
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    async with engine.connect() as connection:
        await connection.execute(q.CREATE_BOOKS)
        await connection.execute(
            text("INSERT INTO books VALUES (:isbn, :title, :year)"),
            [{"isbn": i, "title": t, "year": y} for i, t, y in BOOKS],
        )
        connection.info["statements"] = statements
        yield connection
    await engine.dispose()


async def test_a_quote_is_just_a_character(conn: AsyncConnection) -> None:
    assert await q.book_by_isbn(conn, "' OR '1'='1") is None
    found = await q.book_by_isbn(conn, "9780441013593")
    assert found is not None and found.title == "Dune"
    assert not any("9780441013593" in s for s in conn.info["statements"])


async def test_a_list_expands_into_bound_values(conn: AsyncConnection) -> None:
    rows = await q.books_from_years(conn, [2014, 1815])
    assert sorted(row.year for row in rows) == [1815, 2014, 2014]
    assert await q.books_from_years(conn, []) == []


async def test_sorting_only_by_allowed_columns(conn: AsyncConnection) -> None:
    years = [row.year for row in await q.books_sorted(conn, "year")]
    assert years == sorted(years) and years[0] == 1815
    with pytest.raises(KeyError):
        await q.books_sorted(conn, "year; DROP TABLE books")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("100%", ["100% Kotlin"]),
        ("#hash", ["#hashtags_for_all"]),
        ("%", []),
        ("_", []),
        ("D", ["Dune"]),
    ],
)
async def test_wildcards_are_literal(
    conn: AsyncConnection, typed: str, expected: list[str]
) -> None:
    assert await q.titles_starting(conn, typed) == expected
