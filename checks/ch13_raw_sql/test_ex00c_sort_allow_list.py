"""Checks for chapter 13, step 3: ORDER BY from an allow-list, since identifiers cannot be bound."""

import re

from sqlalchemy import text

from checks.ch13_raw_sql._directory import NAMES, get_json, get_json_ran, names_in
from fastlings.testing import Teach, WiredApp

PATH = "/users"
ALLOW_LIST = (
    'an allow-list: `sort: Literal["id", "name"]` and `order: Literal["asc", "desc"]` '
    "(FastAPI answers anything else with 422), each choice mapped to SQL written in the file"
)

# A placeholder right after ORDER BY in the SQL shown (`?`, `$1`, `%s`, `%(sort)s`).
BOUND_ORDER = re.compile(r"ORDER BY\s+(?:\?|\$\d+|%s|%\(\w+\)s)", re.I)


async def expected_by_name(wired: WiredApp) -> list[str]:
    """The database's own idea of name order (its collation), ties broken by id."""
    async with wired.engine.connect() as conn:
        rows = await conn.execute(text("SELECT name FROM users ORDER BY name, id"))
        return [row[0] for row in rows]


async def test_allowed_sorts_work(directory: WiredApp, teach: Teach) -> None:
    by_name = await expected_by_name(directory)
    cases = [
        ({}, NAMES, "no parameters: by id, ascending"),
        ({"sort": "id", "order": "desc"}, NAMES[::-1], "by id, descending"),
        ({"sort": "name"}, by_name, "by name, ascending"),
        ({"sort": "name", "order": "desc"}, by_name[::-1], "by name, descending"),
    ]
    for params, expected, why in cases:
        status, body, ran = await get_json_ran(directory, PATH, params)
        names = names_in(body)
        constant = (
            " (A bound parameter after ORDER BY sorts by a constant, which is no order at all.)"
            if BOUND_ORDER.search(ran)
            else ""
        )
        assert status == 200 and names == expected, teach(
            f"GET {PATH} with {params} ({why}) answered {status} with "
            + (f"names {names}" if names else str(body)[:200])
            + f".{ran}",
            f"200 with {expected}{constant}: {ALLOW_LIST}",
        )


async def test_anything_else_is_refused(directory: WiredApp, teach: Teach) -> None:
    attacks = [
        ({"sort": "token"}, "a column of another table"),
        ({"sort": "name; DELETE FROM users"}, "a second statement"),
        ({"sort": "(SELECT token FROM api_tokens)"}, "a subquery"),
        ({"sort": "id", "order": "desc, (SELECT 1)"}, "extra SQL after the direction"),
    ]
    wrong = []
    for params, why in attacks:
        status, body = await get_json(directory, PATH, params)
        if status != 422:
            wrong.append(f"  {params} ({why}): {status} {str(body)[:80]}")
    async with directory.engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
    assert not wrong and count == len(NAMES), teach(
        f"GET {PATH} did not refuse these with 422:\n"
        + "\n".join(wrong)
        + (
            f"\nThe users table now holds {count} rows instead of {len(NAMES)}."
            if count != len(NAMES)
            else ""
        ),
        ALLOW_LIST,
    )
