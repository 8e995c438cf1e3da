"""Checks for chapter 13, exercise 1: a search that binds its input instead of pasting it."""

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import ClientFactory, create_schema

Teach = Callable[[str, str], str]
PATH = "/users/search"
NAMES = [
    "Ada Lovelace",
    "Grace Hopper",
    "Conor O'Brien",
    "Alan Turing",
    "Percy 100% Real",
    "snake_case_sam",
]
SECRET = "sk_live_7Qm2ZkP9xW4v"


@pytest.fixture
async def client(
    module: ModuleType, engine: AsyncEngine, make_client: ClientFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """The learner's app on the check's fresh database, seeded with NAMES and one API token."""
    await create_schema(engine, module.Base.metadata)
    async with engine.begin() as conn:
        for index, name in enumerate(NAMES, start=1):
            await conn.execute(
                text("INSERT INTO users (id, name) VALUES (:id, :name)"),
                {"id": index, "name": name},
            )
        await conn.execute(
            text("INSERT INTO api_tokens (id, user_id, token) VALUES (1, 1, :token)"),
            {"token": SECRET},
        )
    async with make_client(module.app) as http:
        yield http


async def search(client: httpx.AsyncClient, term: str) -> tuple[int, Any]:
    response = await client.get(PATH, params={"name": term})
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body


def names_in(body: Any) -> list[Any] | None:
    if not isinstance(body, list):
        return None
    return [item.get("name") for item in body if isinstance(item, dict)]


async def test_ordinary_searches_work(client: httpx.AsyncClient, teach: Teach) -> None:
    cases = [
        ("Hopper", ["Grace Hopper"], "an ordinary name"),
        ("O'Brien", ["Conor O'Brien"], "a name with an apostrophe"),
        ("lovelace", ["Ada Lovelace"], "lower case for a capitalised name"),
        ("TURING", ["Alan Turing"], "upper case for a capitalised name"),
    ]
    for term, expected, why in cases:
        status, body = await search(client, term)
        assert status == 200 and names_in(body) == expected, teach(
            f"GET {PATH}?name={term} ({why}) answered {status} with {body!r}.",
            f"200 with {expected}: the text as a bound parameter (quotes are then just "
            "characters), compared with lower() on both sides or ilike, because LIKE ignores "
            "case on SQLite but not on PostgreSQL",
        )


async def test_injection_cannot_read_more_rows(client: httpx.AsyncClient, teach: Teach) -> None:
    cases = [
        ("' OR '1'='1", "a condition that is always true"),
        ("x' UNION SELECT id, token FROM api_tokens --", "a UNION with the api_tokens table"),
    ]
    for term, why in cases:
        status, body = await search(client, term)
        leaked = SECRET in str(body)
        assert not leaked and status == 200 and names_in(body) == [], teach(
            f"GET {PATH}?name={term} ({why}) answered {status} with {str(body)[:160]}"
            + (": the API token leaked." if leaked else "."),
            "200 with []: no name contains that text. Send it as a bound parameter "
            "(text('... LIKE :pattern') with the value passed to execute) so the database "
            "never reads it as SQL",
        )


async def test_quotes_and_statements_never_break_it(
    client: httpx.AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    cases = [
        ("'", ["Conor O'Brien"], "a lone quote"),
        ("'; DELETE FROM users; --", [], "a second statement"),
        ("x' AND 1=CAST('a' AS INTEGER) --", [], "a deliberate SQL error"),
        (":admin", [], "a colon, which text() reads as a bind parameter when pasted into SQL"),
    ]
    for term, expected, why in cases:
        status, body = await search(client, term)
        assert status == 200 and names_in(body) == expected, teach(
            f"GET {PATH}?name={term} ({why}) answered {status} with {str(body)[:120]!r}.",
            f"200 with {expected}: the text is a value bound to a parameter of a constant SQL "
            "statement, so nothing in it can change the statement (hand-escaping quotes "
            "misses cases like these)",
        )
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
    assert count == len(NAMES), teach(
        f"After the searches above, the users table holds {count} rows instead of {len(NAMES)}.",
        "a search that only ever reads: the text is a bound value, never SQL",
    )


async def test_wildcards_match_literally(client: httpx.AsyncClient, teach: Teach) -> None:
    cases = [
        ("%", ["Percy 100% Real"], "a percent sign"),
        ("_", ["snake_case_sam"], "an underscore"),
        ("e_c", ["snake_case_sam"], "an underscore between letters"),
    ]
    for term, expected, why in cases:
        status, body = await search(client, term)
        assert status == 200 and names_in(body) == expected, teach(
            f"GET {PATH}?name={term} ({why}) answered {status} with {str(body)[:160]}.",
            f"200 with {expected}: % and _ are LIKE wildcards, so escape them in the pattern "
            "(`\\%`, `\\_` with ESCAPE '\\'), or use SQLAlchemy's "
            "`icontains(term, autoescape=True)`",
        )


async def test_search_text_is_a_bound_parameter(
    module: ModuleType, client: httpx.AsyncClient, teach: Teach
) -> None:
    engines = [value for value in vars(module).values() if isinstance(value, AsyncEngine)]
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    for found in engines:
        event.listen(found.sync_engine, "before_cursor_execute", record)
    try:
        status, _ = await search(client, "Hopper")
    finally:
        for found in engines:
            event.remove(found.sync_engine, "before_cursor_execute", record)
    assert status == 200, teach(
        f"GET {PATH}?name=Hopper answered {status}.", "200 with the matching users"
    )
    pasted = [s for s in statements if "hopper" in s.lower()]
    assert not pasted, teach(
        f"GET {PATH}?name=Hopper sent SQL with the search text inside it: {pasted[0]!r}.",
        "the SQL text stays the same for every search; the text travels as a bound "
        "parameter (text('... :pattern') plus a values dict, or select().where(...))",
    )
