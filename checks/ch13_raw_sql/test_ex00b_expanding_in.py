"""Checks for chapter 13, step 2: an IN list of bound values."""

from checks.ch13_raw_sql._directory import SECRET, get_json, get_json_ran, names_in, sql_sent
from fastlings.testing import Teach, WiredApp

PATH = "/users/by-names"
EXPANDING = (
    "one constant statement, `... WHERE name IN :names` with "
    '`.bindparams(bindparam("names", expanding=True))`, or select(User).where(User.name.in_(...))'
)


async def test_listed_names_are_found(directory: WiredApp, teach: Teach) -> None:
    cases = [
        (["Ada Lovelace"], ["Ada Lovelace"]),
        (["Alan Turing", "Grace Hopper", "Nobody"], ["Grace Hopper", "Alan Turing"]),
        (["Conor O'Brien", "Back\\slash Bob"], ["Conor O'Brien", "Back\\slash Bob"]),
        ([], []),
    ]
    for names, expected in cases:
        status, body, ran = await get_json_ran(directory, PATH, {"name": names})
        assert status == 200 and names_in(body) == expected, teach(
            f"GET {PATH} with name={names} answered {status} with {str(body)[:160]!r}.{ran}",
            f"200 with {expected}, ordered by id: {EXPANDING}",
        )


async def test_a_quote_cannot_break_out(directory: WiredApp, teach: Teach) -> None:
    term = "x') UNION SELECT id, token FROM api_tokens --"
    status, body = await get_json(directory, PATH, {"name": ["Ada Lovelace", term]})
    leaked = SECRET in str(body)
    assert not leaked and status == 200 and names_in(body) == ["Ada Lovelace"], teach(
        f"GET {PATH} with name=['Ada Lovelace', {term!r}] answered {status} with "
        f"{str(body)[:160]}" + (": the API token leaked." if leaked else "."),
        f"200 with ['Ada Lovelace']: quoting by hand is still pasting; {EXPANDING}",
    )


async def test_the_values_never_enter_the_sql(directory: WiredApp, teach: Teach) -> None:
    names = ["Grace Hopper", "Alan Turing"]
    sent = await sql_sent(directory, lambda: get_json(directory, PATH, {"name": names}))
    pasted = [s for s in sent if "hopper" in s.lower() or "turing" in s.lower()]
    assert not pasted, teach(
        f"GET {PATH} with name={names} sent SQL with the names inside it: {pasted[0]!r}.",
        EXPANDING,
    )
