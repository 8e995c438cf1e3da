"""Checks for chapter 12, step 2: GET /items lists the caller's items, chosen by the database."""

import re

from checks.ch12_authorization._users import create_item, sign_up, sign_up_ada_and_bob
from fastlings.testing import StatementLog, Teach, WiredApp


async def test_each_user_lists_only_own_items(app: WiredApp, teach: Teach) -> None:
    ada, bob = await sign_up_ada_and_bob(app, teach)
    mine = [await create_item(app, ada, f"ada {n}", teach) for n in range(2)]
    await create_item(app, bob, "bob 1", teach)
    path = app.path("get", "/items")
    for who, expected in ((ada, {i["id"] for i in mine}), (bob, None)):
        with StatementLog(app.engine) as log:
            listing = await app.client.get(path, headers=who.auth)
        ran = [" ".join(s.split()) for s in log.selects() if "items" in s.lower()]
        query = f"\nThe query it ran: {ran[-1]}" if ran else ""
        if re.search(r"\bWHERE (0 = 1|false)\b", query, re.I):
            query += (
                " (a condition that is always false: Python evaluated the comparison itself, as "
                "it does `is`, and handed SQLAlchemy False; a column compared with `==` becomes "
                "SQL)"
            )
        rows = listing.json() if listing.status_code == 200 else []
        owners = {row.get("owner_id") for row in rows}
        ids = {row.get("id") for row in rows}
        assert listing.status_code == 200 and owners <= {who.id}, teach(
            f"{who.username}'s GET {path} answered {listing.status_code} with items of the "
            f"owners {sorted(owners)}; {who.username}'s id is {who.id}.{query}",
            f"only {who.username}'s own items",
        )
        assert expected is None or ids == expected, teach(
            f"Ada's GET {path} lists the items {sorted(ids)}; she owns {sorted(expected or [])}."
            + query,
            "every one of the caller's items, and no other",
        )


async def test_the_database_does_the_filtering(
    app: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    ada = await sign_up(app, "ada", teach)
    await create_item(app, ada, "ada 1", teach)
    path = app.path("get", "/items")
    kept = len(sql.statements)
    await app.client.get(path, headers=ada.auth)
    selects = [s for s in sql.statements[kept:] if "items" in s.lower() and "select" in s.lower()]
    filtered = [s for s in selects if "owner_id" in s.lower().partition("where")[2]]
    assert filtered, teach(
        f"GET {path} read the items with {selects or 'no SELECT on items'}: no WHERE on "
        "owner_id, so every user's rows travel to Python.",
        "the filter in the query: select(Item).where(Item.owner_id == user.id); a Python "
        "filter after fetching everything breaks as soon as the list is paginated",
    )
