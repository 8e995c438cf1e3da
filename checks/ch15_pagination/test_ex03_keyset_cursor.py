"""Checks for chapter 15, exercise 3: keyset pagination with an opaque cursor."""

from typing import Any

from checks.ch15_pagination._products import (
    FIRST_ID,
    duplicates,
    in_order,
    product_rows,
    seed,
    shown,
)
from fastlings.testing import StatementLog, Teach, WiredApp, body_of

ROWS = 40
LIMIT = 7
MAX_PAGES = 30


async def get_page(wired: WiredApp, cursor: str | None) -> tuple[int, Any]:
    params: dict[str, Any] = {"limit": LIMIT}
    if cursor is not None:
        params["cursor"] = cursor
    response = await wired.client.get(wired.path("get", "/products"), params=params)
    return response.status_code, body_of(response)


async def walk(
    wired: WiredApp, sql: StatementLog, insert_between: bool
) -> tuple[list[int], list[int], str]:
    """Follow next_cursor from the first page to the last. With `insert_between`, three new
    products (one cheaper than everything, two in the middle of the price range) are added
    after each page. Returns the ids received, the ids added, and a problem if any."""
    table = wired.module.Base.metadata.tables["products"]
    ids: list[int] = []
    added: list[int] = []
    cursor: str | None = None
    for number in range(1, MAX_PAGES + 1):
        status, body = await get_page(wired, cursor)
        items = body.get("items") if isinstance(body, dict) else None
        if status != 200 or not isinstance(items, list) or "next_cursor" not in body:
            where = "the first page" if cursor is None else f"cursor={cursor!r}"
            return ids, added, f"GET /products with {where} answered {status}: {shown(body)}"
        ids.extend(int(item["id"]) for item in items)
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, added, ""
        if insert_between:
            base = FIRST_ID + 1000 + 3 * number
            new: list[dict[str, Any]] = [
                {"id": base, "name": f"new {base}", "price_cents": 1},
                {"id": base + 1, "name": f"new {base + 1}", "price_cents": 250},
                {"id": base + 2, "name": f"new {base + 2}", "price_cents": 500},
            ]
            with sql.paused():
                async with wired.engine.begin() as conn:
                    await conn.execute(table.insert(), new)
            added.extend(r["id"] for r in new)
    return ids, added, f"next_cursor was still set after {MAX_PAGES} pages of {LIMIT}"


def at_page_ends(rows: list[dict[str, Any]], ids: list[int]) -> str:
    """What the rows missing or repeated in a walk have in common with the pages' last rows."""
    price = {r["id"]: r["price_cents"] for r in rows}
    lasts = ids[LIMIT - 1 :: LIMIT]
    twice = duplicates(ids)
    missing = sorted(set(price) - set(ids))
    if twice and set(twice) <= set(lasts):
        return (
            f". The rows sent twice {twice[:10]} are each the last row of a page, sent again "
            "first on the next: probably the next page starts AT the cursor's row (>=), not "
            "after it (>)"
        )
    if missing and {price[i] for i in missing} <= {price[i] for i in lasts if i in price}:
        return (
            f". The {len(missing)} rows never sent {missing[:10]} each have the price of a "
            "page's last row: probably the next page starts after that price alone, which "
            "skips the rest of a tie; compare (price_cents, id) together"
        )
    return ""


async def test_walk_returns_every_row_in_order(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    rows = await seed(wired, sql, product_rows(ROWS))
    ids, _, problem = await walk(wired, sql, insert_between=False)
    assert not problem and ids == in_order(rows), teach(
        f"Following next_cursor through {ROWS} products ({LIMIT} per page) gave ids {ids}"
        + (f"; {problem}" if problem else at_page_ends(rows, ids)),
        f"every product once, cheapest first, ties by id: {in_order(rows)}, and "
        "next_cursor null on the last page",
    )


async def test_no_row_twice_or_missing_while_rows_are_added(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    rows = await seed(wired, sql, product_rows(ROWS))
    ids, added, problem = await walk(wired, sql, insert_between=True)
    twice = duplicates(ids)
    missing = sorted(set(in_order(rows)) - set(ids))
    assert not problem and not twice and not missing, teach(
        f"While a client followed next_cursor ({LIMIT} per page), three products were added "
        f"after each page ({len(added)} in all, some cheaper than the rows already sent). "
        f"The client got {len(ids)} rows: {len(twice)} of them twice {twice[:10]}, and "
        f"{len(missing)} of the original {ROWS} never {missing[:10]}"
        + (f"; {problem}" if problem else "")
        + ". An offset counts rows from the start, and rows added before that point push "
        "rows already sent onto the next page.",
        "each original product exactly once: a cursor holding the last row's sort key "
        "(price_cents, id), and the next page = the rows after it "
        "(WHERE (price_cents, id) > (:price, :id)), with no offset",
    )


async def test_bad_cursor_gets_400_or_422_with_message(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, product_rows(10))
    for cursor in ("not-a-cursor", "!!!"):
        status, body = await get_page(wired, cursor)
        detail = body.get("detail") if isinstance(body, dict) else None
        assert status in (400, 422) and detail, teach(
            f"GET /products?cursor={cursor} (a cursor the app never issued) answered "
            f"{status}: {shown(body)}",
            "400 (or 422) with a `detail` saying the cursor is invalid: a bad cursor is the "
            "client's mistake, never a 500. Decode it inside try/except and raise "
            "HTTPException(400, detail=...)",
        )


async def test_limit_is_still_capped(wired: WiredApp, sql: StatementLog, teach: Teach) -> None:
    await seed(wired, sql, product_rows(10))
    response = await wired.client.get(wired.path("get", "/products"), params={"limit": 101})
    assert response.status_code == 422, teach(
        f"GET /products?limit=101 answered {response.status_code}: {shown(body_of(response))}",
        "422, as the starter answered: keep `Query(ge=1, le=100)`",
    )
