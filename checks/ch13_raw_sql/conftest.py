"""Chapter 13's checks run the learner's app through the plugin's `wired` fixture, on a database
seeded with names that have quotes, wildcards and a backslash in them."""

from collections.abc import Callable
from typing import Any

import pytest

from checks.ch13_raw_sql._directory import get_json_ran, names_in, seed
from fastlings.testing import Teach, WiredApp


@pytest.fixture
async def directory(wired: WiredApp) -> WiredApp:
    await seed(wired)
    return wired


async def assert_searches_find(
    wired: WiredApp,
    path: str,
    cases: list[tuple[str, list[str], str]],
    teach: Teach,
    shown: Callable[[Any], str],
    expected: str,
) -> None:
    """GET `path?name=term` for each `(term, names, why)` in `cases` answers 200 with exactly
    those names. A failure shows the body as `shown` renders it; `expected` follows the names."""
    for term, names, why in cases:
        status, body, ran = await get_json_ran(wired, path, {"name": term})
        assert status == 200 and names_in(body) == names, teach(
            f"GET {path}?name={term} ({why}) answered {status} with {shown(body)}.{ran}",
            f"200 with {names}: {expected}",
        )
