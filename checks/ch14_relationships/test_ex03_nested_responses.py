"""Checks for chapter 14, exercise 3: every nested response is loaded by its own query."""

from httpx import Response

from checks.ch14_relationships._loading import (
    FIRST_ID,
    count_text,
    expected_items,
    expected_users,
    normalised,
    seed,
    why_500,
)
from fastlings.testing import StatementLog, Teach, WiredApp

SMALL, LARGE = 4, 40


async def nested_failure(wired: WiredApp, response: Response) -> str:
    return (
        f"GET {response.request.url.path} answered {response.status_code}: "
        f"{response.text[:200]}{await why_500(wired.app, response)}"
    )


async def test_user_list_has_items_without_lazy_load(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, SMALL)
    response = await wired.client.get(wired.path("get", "/users"))
    body = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and normalised(body) == expected_users(SMALL), teach(
        await nested_failure(wired, response),
        "200 with every user and their items: the users query loads the items too "
        "(.options(selectinload(User.items)))",
    )


async def test_user_detail_has_items_without_lazy_load(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, SMALL)
    user_id = FIRST_ID + 2
    expected = next(u for u in expected_users(SMALL) if u["id"] == user_id)
    response = await wired.client.get(f"/users/{user_id}")
    body = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and normalised(body) == normalised(expected), teach(
        await nested_failure(wired, response),
        f"200 with {expected}: load the items with the user "
        "(db.get(User, user_id, options=[selectinload(User.items)]), or a select with the option)",
    )


async def test_item_list_has_owner_without_lazy_load(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, SMALL)
    response = await wired.client.get(wired.path("get", "/items"))
    body = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and normalised(body) == expected_items(SMALL), teach(
        await nested_failure(wired, response),
        "200 with every item and its owner: the items query loads the owners too "
        "(.options(joinedload(Item.owner)) or selectinload)",
    )


async def test_missing_user_gets_404(wired: WiredApp, sql: StatementLog, teach: Teach) -> None:
    await seed(wired, sql, SMALL)
    response = await wired.client.get(f"/users/{FIRST_ID + 999}")
    assert response.status_code == 404, teach(
        f"GET /users/{FIRST_ID + 999} (no such user) answered {response.status_code}: "
        f"{response.text[:200]}",
        "404, as the starter answered",
    )


async def test_query_counts_do_not_grow_with_rows(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    paths = [wired.path("get", "/users"), wired.path("get", "/items")]
    await seed(wired, sql, SMALL)
    await wired.client.get(paths[0])  # warm-up: first connections may run set-up queries
    counts: dict[tuple[str, int], list[str]] = {}
    for n_users in (SMALL, LARGE):
        if n_users == LARGE:
            await seed(wired, sql, LARGE - SMALL, start=SMALL)
        for path in paths:
            before = len(sql)
            response = await wired.client.get(path)
            counts[path, n_users] = sql.statements[before:]
            assert response.status_code == 200, teach(
                await nested_failure(wired, response),
                "200 with the nested data, loaded by the query itself",
            )
    for path in paths:
        few, many = counts[path, SMALL], counts[path, LARGE]
        assert len(few) == len(many), teach(
            f"GET {path} ran {len(few)} SQL statements with {SMALL} users and {len(many)} with "
            f"{LARGE} users ({count_text(many)}): one more query per row.",
            "a number of statements that does not depend on the number of rows: an eager "
            "loader in the query (selectinload / joinedload), never a query per row",
        )
