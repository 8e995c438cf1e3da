"""Helpers shared by the chapter 15 checks: seeding products and walking pages."""

import re
from typing import Any

from httpx import Response

from fastlings.testing import StatementLog, WiredApp

FIRST_ID = 300  # ids above 256: an `is` comparison of ints would fail
PRICES = [500, 250, 500, 999, 250, 500, 120, 999]  # many ties


def product_rows(count: int, first: int = FIRST_ID + 1) -> list[dict[str, Any]]:
    """`count` products, inserted in a shuffled id order so that storage order != id order."""
    rows = [
        {"id": i, "name": f"product {i} \\ 100% 'quoted'", "price_cents": PRICES[i % len(PRICES)]}
        for i in range(first, first + count)
    ]
    return rows[::2][::-1] + rows[1::2]


async def seed(wired: WiredApp, sql: StatementLog, rows: list[dict[str, Any]]) -> None:
    table = wired.module.Base.metadata.tables["products"]
    with sql.paused():
        async with wired.engine.begin() as conn:
            await conn.execute(table.insert(), rows)


def in_order(rows: list[dict[str, Any]]) -> list[int]:
    """The ids of `rows` cheapest first, ties by id."""
    return [r["id"] for r in sorted(rows, key=lambda r: (r["price_cents"], r["id"]))]


def body_of(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def shown(body: Any) -> str:
    """A short description of a response body: pages as their ids."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        ids = [i.get("id") if isinstance(i, dict) else i for i in body["items"]]
        rest = {k: v for k, v in body.items() if k != "items"}
        listed = ids if len(ids) <= 12 else [*ids[:12], "..."]
        return f"a page of {len(ids)} items (ids {listed}), {rest}"
    return str(body)[:200]


def duplicates(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


ORDER_BY = re.compile(r"ORDER BY\s+(.*?)(?:\s+LIMIT\b|\s+OFFSET\b|\s+FETCH\b|$)", re.I | re.S)
ID_TERM = re.compile(
    r'^(?:"?\w+"?\.)?"?id"?(?:\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?$', re.I
)


def order_terms(statement: str) -> list[str] | None:
    """The terms of the last ORDER BY of a statement, or None when it has none."""
    found = ORDER_BY.findall(statement)
    if not found:
        return None
    return [" ".join(term.split()) for term in found[-1].split(",")]


def ends_with_id(terms: list[str]) -> bool:
    return bool(terms) and bool(ID_TERM.match(terms[-1]))
