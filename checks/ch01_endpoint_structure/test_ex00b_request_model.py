"""Checks for chapter 1, step 2: the body is a Pydantic model, so FastAPI answers 422."""

from typing import Any

from checks.ch01_endpoint_structure.conftest import (
    ADA,
    assert_invalid_bodies_get_422,
    assert_only_ada_stored,
    inserts,
)
from fastlings.testing import (
    StatementLog,
    Teach,
    WiredApp,
    fetch_rows,
    find_operation,
    json_schema_of,
    resolve_ref,
)


async def test_invalid_bodies_get_422(wired: WiredApp, teach: Teach) -> None:
    await assert_invalid_bodies_get_422(
        wired,
        teach,
        "422 from FastAPI's own validation before the endpoint runs: a body parameter typed "
        "with a Pydantic model that requires an email and a name, both strings",
    )
    stored = await fetch_rows(wired.engine, "SELECT email, name FROM users")
    assert not stored, teach(
        f"Every body was invalid, yet the database holds {stored}.",
        "an invalid body never reaches the endpoint, so nothing is written",
    )


def _query_note(operation: dict[str, Any]) -> str:
    """What the operation reads from the query string, when it does (FastAPI's rule for plain
    scalar parameters), as the OpenAPI document lists it."""
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    if not names:
        return ""
    listed = ", ".join(f"`{n}`" for n in names)
    return (
        f"; it reads {listed} from the query string (plain scalar parameters are query "
        "parameters, so a JSON body is never looked at)"
    )


async def test_openapi_documents_the_request_body(wired: WiredApp, teach: Teach) -> None:
    openapi = wired.app.openapi()
    found = find_operation(openapi, "post", "/users")
    body_schema = json_schema_of(found[1].get("requestBody", {})) if found else {}
    name, component = resolve_ref(openapi, body_schema)
    required = set(component.get("required", []))
    assert name is not None and {"email", "name"} <= required, teach(
        "In the OpenAPI document, POST /users has "
        + (f"the body model {name} requiring {sorted(required)}" if name else "no body model")
        + _query_note(found[1] if found else {})
        + ".",
        "a request model that requires email and name, used as the endpoint's body parameter",
    )


async def test_valid_sign_up_is_stored(wired: WiredApp, sql: StatementLog, teach: Teach) -> None:
    path, response = await wired.send("post", "/users", json=ADA)
    assert response.status_code in (200, 201), teach(
        f"POST {path} with a valid sign-up answered {response.status_code}: {response.text[:160]}",
        "a success status, with the new user",
    )
    assert inserts(sql), teach(
        f"POST {path} answered {response.status_code}, but no INSERT ran on the session the "
        "check handed out through get_db.",
        "the user added and committed on the injected `db` session",
    )
    await assert_only_ada_stored(
        wired,
        teach,
        "After one valid sign-up the database holds",
        f"one row with the email and name that were sent, {ADA}",
    )
