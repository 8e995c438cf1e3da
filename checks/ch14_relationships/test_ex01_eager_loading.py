"""Checks for chapter 14, exercise 1: users with their items in a constant number of queries."""

from checks.ch14_relationships._loading import (
    count_text,
    expected_users,
    normalised,
    seed,
    why_500,
)
from fastlings.testing import StatementLog, Teach, WiredApp

SMALL, LARGE = 4, 40


async def test_users_listed_with_their_items(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, SMALL)
    path = wired.path("get", "/users")
    response = await wired.client.get(path)
    body = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and normalised(body) == expected_users(SMALL), teach(
        f"GET {path} with {SMALL} users answered {response.status_code}: "
        f"{response.text[:300]}{await why_500(wired.app, response)}",
        "200 with every user and exactly the items they own, as the starter answered "
        f"(for example {expected_users(SMALL)[1]})",
    )


async def test_query_count_does_not_grow_with_users(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    path = wired.path("get", "/users")
    await seed(wired, sql, SMALL)
    await wired.client.get(path)  # warm-up: first connections may run set-up queries
    counts: dict[int, int] = {}
    seen: dict[int, list[str]] = {}
    for n_users in (SMALL, LARGE):
        if n_users == LARGE:
            await seed(wired, sql, LARGE - SMALL, start=SMALL)
        before = len(sql)
        response = await wired.client.get(path)
        seen[n_users] = sql.statements[before:]
        counts[n_users] = len(seen[n_users])
        assert response.status_code == 200 and len(response.json()) == n_users, teach(
            f"GET {path} with {n_users} users answered {response.status_code}: "
            f"{response.text[:200]}{await why_500(wired.app, response)}",
            f"200 with the {n_users} users and their items",
        )
    assert counts[SMALL] == counts[LARGE], teach(
        f"GET {path} ran {counts[SMALL]} SQL statements for {SMALL} users and {counts[LARGE]} "
        f"for {LARGE} users ({count_text(seen[LARGE])}): the query count grows with the number "
        "of users, one more per user (the N+1 pattern).",
        "the same number of statements for any number of users: declare the relationship "
        "(items: Mapped[list[Item]] = relationship(...)) and load it in the users query "
        "(selectinload(User.items))",
    )
