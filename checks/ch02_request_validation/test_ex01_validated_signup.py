"""Checks for chapter 2, exercise 1: a validated sign-up body.

Each check posts bodies to the learner's app, whose `get_db` is overridden to hand out sessions
on the check's own database, and observes the status code, the 422 details and the stored rows.
"""

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from fastlings.testing import ClientFactory, create_schema, find_operation, override_sessions

Teach = Callable[[str, str], str]
Wired = tuple[AsyncClient, list[AsyncSession], str]


@pytest.fixture
async def wired(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
) -> AsyncIterator[Wired]:
    """The learner's app with `get_db` overridden, and its POST path (`/users` or `/users/`)."""
    await create_schema(engine, module.Base.metadata)
    handed_out = override_sessions(module.app, module.get_db, sessionmaker)
    found = find_operation(module.app.openapi(), "post", "/users")
    async with make_client(module.app) as client:
        yield client, handed_out, found[0] if found else "/users"


def signup(**fields: Any) -> dict[str, Any]:
    return {"email": "ada@example.com", "name": "Ada Lovelace", **fields}


async def rows(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        result = await conn.execute(text("SELECT id, email, name, age, is_admin FROM users"))
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


INVALID = [
    ("email", signup(email="not-an-email"), "email 'not-an-email'", "EmailStr"),
    ("name", signup(name=""), "an empty name", "Field(min_length=1)"),
    ("name", signup(name="x" * 101), "a 101-character name", "Field(max_length=100)"),
    ("age", signup(age=-1), "age -1", "Field(None, ge=0)"),
    ("age", signup(age=151), "age 151", "Field(None, le=150)"),
]


async def test_invalid_fields_get_422_naming_the_field(
    engine: AsyncEngine, wired: Wired, teach: Teach
) -> None:
    client, _, path = wired
    problems: list[str] = []
    patterns: list[str] = []
    for field, body, what, pattern in INVALID:
        response = await client.post(path, json=body)
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
    assert not problems, teach(
        f"POST {path}: " + "; ".join(problems) + ".",
        "422 with an error whose loc ends with the field's name, from a request model "
        f"using {', '.join(dict.fromkeys(patterns))}",
    )
    stored = await rows(engine)
    assert not stored, teach(
        f"Every body was rejected, yet the database holds {stored}.",
        "an invalid body never reaches the endpoint, so nothing is written",
    )


async def test_boundary_values_are_accepted(
    engine: AsyncEngine, wired: Wired, teach: Teach
) -> None:
    client, _, path = wired
    edges: list[tuple[str, dict[str, Any]]] = [
        ("a 1-character name", signup(email="one@example.com", name="x")),
        ("a 100-character name", signup(email="hundred@example.com", name="y" * 100)),
        ("age 0", signup(email="zero@example.com", age=0)),
        ("age 150", signup(email="old@example.com", age=150)),
        ("no age at all", signup(email="ageless@example.com")),
    ]
    refused = []
    for what, body in edges:
        response = await client.post(path, json=body)
        if response.status_code != 201:
            refused.append(f"{what} got {outcome(response)}")
    assert not refused, teach(
        f"POST {path} refused valid sign-ups: " + "; ".join(refused) + ".",
        "the bounds are inclusive: min_length=1, max_length=100, ge=0, le=150, and age is "
        "optional (int | None = Field(None, ...))",
    )
    stored = {email: (name, age) for _, email, name, age, _ in await rows(engine)}
    expected = {body["email"]: (body["name"], body.get("age")) for _, body in edges}
    assert stored == expected, teach(
        f"After five valid sign-ups the database holds {stored}.",
        f"each sign-up stored as sent, {expected}",
    )


async def test_unknown_fields_are_never_stored(
    engine: AsyncEngine, wired: Wired, teach: Teach
) -> None:
    client, handed_out, path = wired
    body = signup(is_admin=True, id=4242)
    response = await client.post(path, json=body)
    assert response.status_code in (201, 422), teach(
        f"POST {path} answered {response.status_code} to a body with undeclared fields "
        f"{{'is_admin': True, 'id': 4242}}: {response.text[:200]}",
        "201 with the extra fields ignored (Pydantic's default), or 422 with "
        'model_config = ConfigDict(extra="forbid")',
    )
    assert handed_out, teach(
        f"POST {path} answered {response.status_code} without asking for a session through "
        "get_db (the check's override never ran).",
        "the endpoint writes through `db: AsyncSession = Depends(get_db)`",
    )
    stored = await rows(engine)
    leaked = [row for row in stored if row[4] or row[0] == 4242]
    assert not leaked, teach(
        f"The client sent is_admin=true and id=4242, and the database stored {leaked} "
        "(id, email, name, age, is_admin).",
        "the ORM object built from the request model, User(**payload.model_dump()), so fields "
        "the model does not declare never reach the database",
    )
