"""Checks for chapter 13, step 1: an exact lookup whose value is bound, not pasted."""

from checks.ch13_raw_sql._directory import SECRET, get_json, get_json_ran, names_in, sql_sent
from fastlings.testing import Teach, WiredApp

PATH = "/users/by-name"
BOUND = (
    "a constant statement with a bound parameter (text('... WHERE name = :name')) and the "
    "value passed to execute(statement, {'name': name})"
)


async def test_names_with_quotes_are_found(directory: WiredApp, teach: Teach) -> None:
    for name in ("Grace Hopper", "Conor O'Brien", "Back\\slash Bob"):
        status, body, ran = await get_json_ran(directory, PATH, {"name": name})
        assert status == 200 and names_in(body) == [name], teach(
            f"GET {PATH}?name={name} answered {status} with {str(body)[:160]!r}.{ran}",
            f"200 with [{name!r}]: {BOUND}; then a quote is just a character",
        )


async def test_injection_finds_nobody(directory: WiredApp, teach: Teach) -> None:
    for term in ("' OR '1'='1", "x' UNION SELECT id, token FROM api_tokens --"):
        status, body = await get_json(directory, PATH, {"name": term})
        leaked = SECRET in str(body)
        assert not leaked and status == 200 and names_in(body) == [], teach(
            f"GET {PATH}?name={term} answered {status} with {str(body)[:160]}"
            + (": the API token leaked." if leaked else "."),
            f"200 with []: nobody has that name. {BOUND}",
        )


async def test_the_value_never_enters_the_sql(directory: WiredApp, teach: Teach) -> None:
    sent = await sql_sent(directory, lambda: get_json(directory, PATH, {"name": "Grace Hopper"}))
    pasted = [s for s in sent if "hopper" in s.lower()]
    assert not pasted, teach(
        f"GET {PATH}?name=Grace Hopper sent SQL with the name inside it: {pasted[0]!r}.",
        f"the same SQL text for every request: {BOUND}",
    )
