"""Checks for chapter 3, exercise 1: create and read answer with a public model.

The checks sign a user up and read it back through the learner's app, then compare every body's
keys to an allow-list of public fields, read the OpenAPI document for the model each success
response declares, and parse `created_at`.
"""

from typing import Any

from checks.ch03_response_models.conftest import (
    PUBLIC,
    assert_read_created_at_iso,
    declared_model,
    leaks,
    read_path,
    read_template,
    signed_up,
)
from fastlings.testing import Teach, WiredApp, find_operation


async def test_create_and_read_show_only_public_fields(wired: WiredApp, teach: Teach) -> None:
    path, created = await signed_up(wired, teach)
    found = leaks(created)
    assert not found, teach(
        f"POST {path} answered with {', '.join(found)}: {sorted(created.json())}.",
        f"only the public fields {sorted(PUBLIC)}: response_model=UserPublic (or a return "
        "annotation) on the create route",
    )
    user_id = created.json().get("id")
    path = read_path(wired.app, user_id)
    read = await wired.client.get(path)
    assert read.status_code == 200, teach(
        f"GET {path}, for the user just created, answered {read.status_code}: {read.text[:200]}",
        "200 with the user, read from the ORM row through the public model",
    )
    found = leaks(read)
    assert not found, teach(
        f"GET {path} answered with {', '.join(found)}: {sorted(read.json())}.",
        "the public model on the read route too: every route that returns a user declares it",
    )


async def test_openapi_documents_the_public_model(wired: WiredApp, teach: Teach) -> None:
    openapi: dict[str, Any] = wired.app.openapi()
    create = find_operation(openapi, "post", "/users")
    template = read_template(wired.app)
    read = openapi.get("paths", {}).get(template, {}).get("get")
    problems = [
        f"{route}: {problem}"
        for route, problem in (
            (
                f"POST {create[0] if create else '/users'}",
                declared_model(openapi, create and create[1]),
            ),
            (f"GET {template}", declared_model(openapi, read)),
        )
        if problem
    ]
    assert not problems, teach(
        "In the OpenAPI document, " + "; ".join(problems) + ".",
        "each success response references the public model, whose schema lists only "
        f"{sorted(PUBLIC)}: response_model=UserPublic, or `-> UserPublic`",
    )


async def test_created_at_is_iso_8601(wired: WiredApp, teach: Teach) -> None:
    await assert_read_created_at_iso(
        wired,
        teach,
        "200 with created_at, a datetime field of the public model",
        "an ISO 8601 date and time such as '2026-01-31T09:30:00+00:00': declare the field as "
        "`created_at: datetime` and let Pydantic serialise it",
    )
