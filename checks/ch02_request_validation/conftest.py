"""Helpers shared by the chapter 2 checks: sign-up bodies, stored rows and 422 details."""

from typing import Any

from fastapi import FastAPI
from httpx import Response
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.testing import (
    Teach,
    WiredApp,
    expecting,
    fetch_rows,
    find_operation,
    json_schema_of,
    resolve_ref,
    unexpected_answers,
)


def signup(**fields: Any) -> dict[str, Any]:
    return {"email": "ada@example.com", "name": "Ada Lovelace", **fields}


def without(field: str) -> dict[str, Any]:
    body = signup()
    body.pop(field)
    return body


async def rows(engine: AsyncEngine, columns: str = "id, email, name") -> list[tuple[Any, ...]]:
    return await fetch_rows(engine, f"SELECT {columns} FROM users ORDER BY id")  # noqa: S608


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
        # a 422 is what it wants: no diagnosis reads it as the cause
        response = await wired.client.post(path, json=body, extensions=expecting(422))
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


async def assert_rejected(
    wired: WiredApp,
    teach: Teach,
    cases: list[tuple[str, Any, str, str]],
    *,
    naming: str,
    every: str = "Every body was rejected",
    columns: str = "id, email, name",
) -> None:
    """Every (field, body, what, pattern) case gets a 422 naming `field`, and nothing is stored.
    `naming` says which field the error must name; `every` opens the message about stored rows."""
    path = wired.path("post", "/users")
    problems, patterns = await rejections(wired, path, cases)
    assert not problems, teach(
        f"POST {path}: " + "; ".join(problems) + ".",
        f"422 with an error whose loc ends with {naming}, from a request model "
        f"using {', '.join(dict.fromkeys(patterns))}",
    )
    stored = await rows(wired.engine, columns)
    assert not stored, teach(
        f"{every}, yet the database holds {stored}.",
        "an invalid body never reaches the endpoint, so nothing is written",
    )


async def refused(wired: WiredApp, path: str, cases: list[tuple[Any, str]]) -> list[str]:
    """Post each (body, what) case; '<what> got <outcome>' for every one not answered 201."""
    wrong = await unexpected_answers(wired, "post", path, cases, 201)
    return [f"{what} got {outcome(response)}" for _, what, response in wrong]


async def assert_boundaries_accepted(
    wired: WiredApp, teach: Teach, edges: list[tuple[dict[str, Any], str]], expected: str
) -> None:
    """Every (body, what) edge gets 201 (`expected` says why it should) and is stored as sent."""
    path = wired.path("post", "/users")
    wrong = await refused(wired, path, edges)
    assert not wrong, teach(
        f"POST {path} refused valid sign-ups: " + "; ".join(wrong) + ".", expected
    )
    stored = {
        email: (name, age) for email, name, age in await rows(wired.engine, "email, name, age")
    }
    sent = {body["email"]: (body["name"], body.get("age")) for body, _ in edges}
    assert stored == sent, teach(
        f"After {len(edges)} valid sign-ups the database holds {stored}.",
        f"each sign-up stored as sent, {sent}",
    )


def extra_fields_note(app: FastAPI, path: str, sent: tuple[str, ...]) -> str:
    """What the OpenAPI document says the body model of POST `path` does with the undeclared
    fields `sent`: declares them, keeps them (`additionalProperties: true`), or drops them."""
    openapi = app.openapi()
    found = find_operation(openapi, "post", path)
    schema = json_schema_of(found[1].get("requestBody", {})) if found else {}
    name, component = resolve_ref(openapi, schema)
    if name is None:
        return (
            f" The OpenAPI document shows no request model for POST {path} (its body: "
            f"{schema or 'none'}), so nothing drops the fields a client adds."
        )
    declared = [f for f in sent if f in component.get("properties", {})]
    if declared:
        return (
            f" The request model {name} declares {declared}, so a client may set "
            f"{'it' if len(declared) == 1 else 'them'}."
        )
    if component.get("additionalProperties") is True:
        return (
            f" The request model {name} keeps undeclared fields (its schema has "
            'additionalProperties: true, which extra="allow" gives), so model_dump() holds them.'
        )
    return (
        f" The request model {name} declares only {sorted(component.get('properties', {}))} "
        "and drops other fields, so they reached the row some other way than its model_dump()."
    )
