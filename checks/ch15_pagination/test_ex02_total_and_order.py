"""Checks for chapter 15, exercise 2: a total of every row, and a total order across pages."""

from typing import Any

from checks.ch15_pagination._products import (
    duplicates,
    ends_with_id,
    in_order,
    order_terms,
    product_rows,
    seed,
    shown,
)
from fastlings.testing import StatementLog, Teach, WiredApp, body_of

ROWS = 37


async def page(wired: WiredApp, limit: int, offset: int) -> tuple[int, Any]:
    response = await wired.client.get(
        wired.path("get", "/products"), params={"limit": limit, "offset": offset}
    )
    return response.status_code, body_of(response)


def count_queries(statements: list[str], status: int) -> str:
    """What the SQL of a 200 page says about its total: the count query it ran, if any."""
    if status != 200:
        return ""
    counts = [" ".join(s.split()) for s in statements if "count(" in s.lower()]
    if not counts:
        return ". No count query ran for this request"
    return f". The count query it ran: {counts[0][:240]}"


async def test_total_counts_every_row(wired: WiredApp, sql: StatementLog, teach: Teach) -> None:
    await seed(wired, sql, product_rows(ROWS))
    for limit, offset, count in ((10, 0, 10), (10, 30, 7), (10, 100, 0)):
        before = len(sql)
        status, body = await page(wired, limit, offset)
        ran = sql.statements[before:]
        items = body.get("items") if isinstance(body, dict) else None
        total = body.get("total") if isinstance(body, dict) else None
        ok = status == 200 and isinstance(items, list) and len(items) == count
        assert ok and total == ROWS, teach(
            f"GET /products?limit={limit}&offset={offset} with {ROWS} products answered "
            f"{status}: {shown(body)}{count_queries(ran, status)}",
            f"{count} items and total {ROWS}: the number of all products, counted by its own "
            "query (select(func.count()).select_from(Product)), whatever page is asked for",
        )


async def walk(wired: WiredApp, limit: int) -> tuple[list[int], str]:
    """Every page by offset; the ids in the order received, and what went wrong if anything."""
    ids: list[int] = []
    for offset in range(0, ROWS + limit, limit):
        status, body = await page(wired, limit, offset)
        items = body.get("items") if isinstance(body, dict) else None
        if status != 200 or not isinstance(items, list):
            return ids, f"offset={offset} answered {status}: {shown(body)}"
        ids.extend(int(item["id"]) for item in items)
    return ids, ""


async def test_order_is_total_ties_broken_by_id(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    rows = await seed(wired, sql, product_rows(ROWS))
    expected = in_order(rows)
    prices = {r["id"]: r["price_cents"] for r in rows}
    for limit in (7, 10):
        before = len(sql)
        ids, problem = await walk(wired, limit)
        statements = [s for s in sql.statements[before:] if "LIMIT" in s.upper()]
        assert not problem, teach(f"Paging with limit={limit}: {problem}", "200 for every page")
        twice, missing = duplicates(ids), sorted(set(expected) - set(ids))
        by_price = [prices[i] for i in ids] == sorted(prices[i] for i in ids)
        same_ties = ids in (expected, in_order_desc_ties(rows))
        assert not twice and not missing and by_price and same_ties, teach(
            f"Paging through {ROWS} products with limit={limit} gave ids {ids}: "
            f"{len(twice)} on two pages {twice}, {len(missing)} on none {missing}"
            + ("" if by_price else ", not cheapest first")
            + ("" if same_ties else ", equal prices not in id order")
            + ".",
            f"each product exactly once, by price and then by id: {expected}",
        )
        terms = [order_terms(s) for s in statements]
        assert statements and all(t and ends_with_id(t) for t in terms), teach(
            f"The page queries order by {terms[0] if terms else 'nothing'} "
            f"({' '.join(statements[0].split())[-120:] if statements else 'no LIMIT query'}). "
            "Equal prices are then in whatever order the database finds them: SQLite happens "
            "to use the rowid, PostgreSQL may return a different order for each LIMIT/OFFSET, "
            "so a product shows up on two pages or on none.",
            "an ORDER BY that ends with the unique id: .order_by(Product.price_cents, Product.id)",
        )


def in_order_desc_ties(rows: list[dict[str, Any]]) -> list[int]:
    """Cheapest first, ties by id descending: also a total order."""
    return [r["id"] for r in sorted(rows, key=lambda r: (r["price_cents"], -r["id"]))]


async def test_page_echoes_limit_and_offset(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, product_rows(ROWS))
    status, body = await page(wired, 5, 15)
    echoed = {k: body.get(k) for k in ("limit", "offset")} if isinstance(body, dict) else None
    assert status == 200 and echoed == {"limit": 5, "offset": 15}, teach(
        f"GET /products?limit=5&offset=15 answered {status}: {shown(body)}",
        "the page with limit 5 and offset 15 echoed, as the starter answered",
    )
