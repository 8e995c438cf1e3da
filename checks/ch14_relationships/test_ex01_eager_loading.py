"""Checks for chapter 14, exercise 1: users with their items in a constant number of queries."""

from httpx import Response

from checks.ch14_relationships._loading import (
    count_text,
    expected_users,
    get_json,
    normalised,
    seed,
    statements_by_size,
    why_500,
)
from fastlings.testing import StatementLog, Teach, WiredApp

SMALL, LARGE = 4, 40


async def test_users_listed_with_their_items(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, SMALL)
    path = wired.path("get", "/users")
    response, body = await get_json(wired, path)
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

    async def answered(path: str, n_users: int, response: Response) -> None:
        assert response.status_code == 200 and len(response.json()) == n_users, teach(
            f"GET {path} with {n_users} users answered {response.status_code}: "
            f"{response.text[:200]}{await why_500(wired.app, response)}",
            f"200 with the {n_users} users and their items",
        )

    ran = await statements_by_size(wired, sql, [path], (SMALL, LARGE), answered)
    few, many = ran[path, SMALL], ran[path, LARGE]
    assert len(few) == len(many), teach(
        f"GET {path} ran {len(few)} SQL statements for {SMALL} users and {len(many)} "
        f"for {LARGE} users ({count_text(many)}): the query count grows with the number "
        "of users, one more per user (the N+1 pattern).",
        "the same number of statements for any number of users: declare the relationship "
        "(items: Mapped[list[Item]] = relationship(...)) and load it in the users query "
        "(selectinload(User.items))",
    )
