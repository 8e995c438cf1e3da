"""Checks for chapter 13, exercise 1: a search that binds its input instead of pasting it."""

from typing import Any

from sqlalchemy import text

from checks.ch13_raw_sql._directory import NAMES, SECRET, get_json, names_in, sql_sent
from checks.ch13_raw_sql.conftest import assert_searches_find
from fastlings.testing import Teach, WiredApp

PATH = "/users/search"


async def search(wired: WiredApp, term: str) -> tuple[int, Any]:
    return await get_json(wired, PATH, {"name": term})


async def test_ordinary_searches_work(directory: WiredApp, teach: Teach) -> None:
    cases = [
        ("Hopper", ["Grace Hopper"], "an ordinary name"),
        ("O'Brien", ["Conor O'Brien"], "a name with an apostrophe"),
        ("lovelace", ["Ada Lovelace"], "lower case for a capitalised name"),
        ("TURING", ["Alan Turing"], "upper case for a capitalised name"),
    ]
    expected = (
        "the text as a bound parameter (quotes are then just "
        "characters), compared with lower() on both sides or ilike, because LIKE ignores "
        "case on SQLite but not on PostgreSQL"
    )
    await assert_searches_find(directory, PATH, cases, teach, repr, expected)


async def test_injection_cannot_read_more_rows(directory: WiredApp, teach: Teach) -> None:
    cases = [
        ("' OR '1'='1", "a condition that is always true"),
        ("x' UNION SELECT id, token FROM api_tokens --", "a UNION with the api_tokens table"),
    ]
    for term, why in cases:
        status, body = await search(directory, term)
        leaked = SECRET in str(body)
        assert not leaked and status == 200 and names_in(body) == [], teach(
            f"GET {PATH}?name={term} ({why}) answered {status} with {str(body)[:160]}"
            + (": the API token leaked." if leaked else "."),
            "200 with []: no name contains that text. Send it as a bound parameter "
            "(text('... LIKE :pattern') with the value passed to execute) so the database "
            "never reads it as SQL",
        )


async def test_quotes_and_statements_never_break_it(directory: WiredApp, teach: Teach) -> None:
    cases = [
        ("'", ["Conor O'Brien"], "a lone quote"),
        ("'; DELETE FROM users; --", [], "a second statement"),
        ("x' AND 1=CAST('a' AS INTEGER) --", [], "a deliberate SQL error"),
        (":admin", [], "a colon, which text() reads as a bind parameter when pasted into SQL"),
    ]
    expected = (
        "the text is a value bound to a parameter of a constant SQL "
        "statement, so nothing in it can change the statement (hand-escaping quotes "
        "misses cases like these)"
    )
    await assert_searches_find(
        directory, PATH, cases, teach, lambda body: repr(str(body)[:120]), expected
    )
    async with directory.engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
    assert count == len(NAMES), teach(
        f"After the searches above, the users table holds {count} rows instead of {len(NAMES)}.",
        "a search that only ever reads: the text is a bound value, never SQL",
    )


async def test_wildcards_match_literally(directory: WiredApp, teach: Teach) -> None:
    cases = [
        ("%", ["Percy 100% Real"], "a percent sign"),
        ("_", ["snake_case_sam"], "an underscore"),
        ("e_c", ["snake_case_sam"], "an underscore between letters"),
        ("\\", ["Back\\slash Bob"], "a backslash, LIKE's usual escape character"),
        ("k\\s", ["Back\\slash Bob"], "a backslash between letters"),
        ("\\%", [], "a backslash then a percent sign (no name has both)"),
    ]
    expected = (
        "% and _ are LIKE wildcards and \\ is the escape character, "
        "so escape all three in the pattern (the backslash first, then `\\%`, `\\_`, with "
        "ESCAPE '\\'), or use SQLAlchemy's `icontains(term, autoescape=True)`"
    )
    await assert_searches_find(
        directory, PATH, cases, teach, lambda body: str(body)[:160], expected
    )


async def test_search_text_is_a_bound_parameter(directory: WiredApp, teach: Teach) -> None:
    answers: list[tuple[int, Any]] = []

    async def request() -> None:
        answers.append(await search(directory, "Hopper"))

    statements = await sql_sent(directory, request)
    status = answers[0][0]
    assert status == 200, teach(
        f"GET {PATH}?name=Hopper answered {status}.", "200 with the matching users"
    )
    pasted = [s for s in statements if "hopper" in s.lower()]
    assert not pasted, teach(
        f"GET {PATH}?name=Hopper sent SQL with the search text inside it: {pasted[0]!r}.",
        "the SQL text stays the same for every search; the text travels as a bound "
        "parameter (text('... :pattern') plus a values dict, or select().where(...))",
    )
