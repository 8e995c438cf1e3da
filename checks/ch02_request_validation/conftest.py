"""Helpers shared by the chapter 2 checks: sign-up bodies, stored rows and 422 details."""

from typing import Any

from httpx import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import WiredApp


def signup(**fields: Any) -> dict[str, Any]:
    return {"email": "ada@example.com", "name": "Ada Lovelace", **fields}


def without(field: str) -> dict[str, Any]:
    body = signup()
    body.pop(field)
    return body


async def rows(engine: AsyncEngine, columns: str = "id, email, name") -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        result = await conn.execute(text(f"SELECT {columns} FROM users ORDER BY id"))  # noqa: S608
        return [tuple(row) for row in result]


def detail_of(response: Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.text
    return body.get("detail") if isinstance(body, dict) else body


def error_locs(response: Response) -> list[tuple[Any, ...]]:
    detail = detail_of(response) if response.status_code == 422 else None
    if not isinstance(detail, list):
        return []
    return [tuple(error.get("loc", ())) for error in detail if isinstance(error, dict)]


def outcome(response: Response) -> str:
    """'201', or '422 (name: String should have at most 99 characters)' for a validation error."""
    locs = error_locs(response)
    if not locs:
        return f"{response.status_code} {response.text[:120]}"
    details = [
        f"{loc[-1] if loc else '?'}: {error.get('msg')}"
        for loc, error in zip(locs, detail_of(response), strict=False)
    ]
    return f"{response.status_code} ({'; '.join(details)})"


async def rejections(
    wired: WiredApp, path: str, cases: list[tuple[str, Any, str, str]]
) -> tuple[list[str], list[str]]:
    """Post each (field, body, what, pattern) case; return the problems and the patterns to
    name: a case is fine when it gets 422 with an error whose loc ends with `field`."""
    problems: list[str] = []
    patterns: list[str] = []
    for field, body, what, pattern in cases:
        response = await wired.client.post(path, json=body)
        if response.status_code != 422:
            problems.append(f"{what} got {response.status_code}")
            patterns.append(pattern)
            continue
        locs = error_locs(response)
        if not any(loc and loc[-1] == field for loc in locs):
            seen = (
                f"its errors point at {[list(loc) for loc in locs]}"
                if locs
                else f"its detail is {detail_of(response)!r:.100}"
            )
            problems.append(f"{what} got 422, but {seen}: no error names the {field!r} field")
            patterns.append(f"the constraint on the {field} field itself")
    return problems, patterns
