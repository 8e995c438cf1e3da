"""Worked example for lessons/ch13_raw_sql.md: raw SQL against a books catalogue, safely.

Every statement is a module-level constant. Values travel as bound parameters, a list as one
expanding parameter; the one thing that cannot be bound, a column to sort by, is chosen from an
allow-list; and a LIKE pattern escapes LIKE's own characters before it is bound.
"""

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import Row, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

CREATE_BOOKS = text("CREATE TABLE books (isbn VARCHAR(13) PRIMARY KEY, title TEXT, year INT)")

# -- 13.1: a value is a bound parameter ---------------------------------------------------
BOOK_BY_ISBN = text("SELECT isbn, title, year FROM books WHERE isbn = :isbn")


async def book_by_isbn(conn: AsyncConnection, isbn: str) -> Row[tuple[str, str, int]] | None:
    return (await conn.execute(BOOK_BY_ISBN, {"isbn": isbn})).first()


# -- 13.2: a list is ONE expanding parameter ----------------------------------------------
BOOKS_FROM_YEARS = text(
    "SELECT isbn, title, year FROM books WHERE year IN :years ORDER BY isbn"
).bindparams(bindparam("years", expanding=True))


async def books_from_years(
    conn: AsyncConnection, years: list[int]
) -> Sequence[Row[tuple[str, str, int]]]:
    return (await conn.execute(BOOKS_FROM_YEARS, {"years": years})).all()


# -- 13.3: identifiers come from an allow-list ---------------------------------------------
SortKey = Literal["title", "year"]
BOOKS_SORTED: dict[SortKey, TextClause] = {
    "title": text("SELECT isbn, title, year FROM books ORDER BY title, isbn"),
    "year": text("SELECT isbn, title, year FROM books ORDER BY year, isbn"),
}


async def books_sorted(conn: AsyncConnection, by: SortKey) -> Sequence[Row[tuple[str, str, int]]]:
    statement = BOOKS_SORTED[by]  # a KeyError for anything else: never pasted
    return (await conn.execute(statement)).all()


# -- 13.4: a LIKE pattern whose wildcards are literal ---------------------------------------
TITLE_PREFIX = text(
    "SELECT isbn, title, year FROM books WHERE title LIKE :prefix ESCAPE '#' ORDER BY isbn"
)
LIKE_SPECIALS = "#%_"  # the escape character itself first of all


def literal_prefix(typed: str) -> str:
    """A LIKE pattern for titles starting with `typed`, every character taken literally."""
    return "".join("#" + ch if ch in LIKE_SPECIALS else ch for ch in typed) + "%"


async def titles_starting(conn: AsyncConnection, typed: str) -> list[str]:
    rows = await conn.execute(TITLE_PREFIX, {"prefix": literal_prefix(typed)})
    return [row.title for row in rows]
