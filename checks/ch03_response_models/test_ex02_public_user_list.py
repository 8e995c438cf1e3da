"""Checks for chapter 3, exercise 2: every route, the list included, answers with the public model.

The checks sign a user up, store a second one directly, then call create, read and list through
the learner's app: every body's keys must be on the allow-list of public fields, every success
response in OpenAPI must reference a model with only those fields (an array of it for the
list), and the list must carry every user with `created_at` in ISO 8601.
"""

import re
from datetime import datetime
from typing import Any

from checks.ch03_response_models.conftest import (
    PUBLIC,
    SEEDED_ID,
    declared_model,
    leaks,
    read_template,
    seed,
    signed_up,
)
from fastlings.testing import Teach, WiredApp, find_operation


async def test_no_route_returns_non_public_fields(wired: WiredApp, teach: Teach) -> None:
    path, created = await signed_up(wired, teach)
    await seed(wired.engine, "grace@example.com", "Grace Hopper", SEEDED_ID)
    read_path = re.sub(r"\{[^}/]+\}", str(created.json().get("id")), read_template(wired.app))
    list_path = wired.path("get", "/users")
    responses = {
        f"POST {path}": created,
        f"GET {read_path}": await wired.client.get(read_path),
        f"GET {list_path}": await wired.client.get(list_path),
    }
    problems: list[str] = []
    for route, response in responses.items():
        if response.status_code >= 300:
            problems.append(f"{route} answered {response.status_code}")
        elif found := leaks(response):
            problems.append(f"{route} sent {', '.join(found)}")
    assert not problems, teach(
        "; ".join(problems) + ".",
        f"only the public fields {sorted(PUBLIC)} from every route: one public model as the "
        "response model of create and read, and list[...] of it on the list route",
    )


async def test_openapi_documents_the_public_model_on_every_route(
    wired: WiredApp, teach: Teach
) -> None:
    openapi: dict[str, Any] = wired.app.openapi()
    create = find_operation(openapi, "post", "/users")
    listing = find_operation(openapi, "get", "/users")
    template = read_template(wired.app)
    routes = [
        (f"POST {wired.path('post', '/users')}", create and create[1], False),
        (f"GET {template}", openapi.get("paths", {}).get(template, {}).get("get"), False),
        (f"GET {wired.path('get', '/users')}", listing and listing[1], True),
    ]
    problems = [
        f"{route}: {problem}"
        for route, operation, many in routes
        if (problem := declared_model(openapi, operation, many))
    ]
    assert not problems, teach(
        "In the OpenAPI document, " + "; ".join(problems) + ".",
        f"every success response references a public model listing only {sorted(PUBLIC)} "
        "(response_model=UserPublic / list[UserPublic], or the same as return annotations); "
        "response_model_exclude hides a value but still documents the field",
    )


async def test_list_has_every_user_with_iso_created_at(wired: WiredApp, teach: Teach) -> None:
    seeded = {"grace@example.com", "linus@example.com"}
    for offset, email in enumerate(sorted(seeded)):
        await seed(wired.engine, email, email.split("@")[0].title(), SEEDED_ID + offset)
    path = wired.path("get", "/users")
    response = await wired.client.get(path)
    body = response.json() if response.status_code == 200 else None
    emails = (
        {item.get("email") for item in body if isinstance(item, dict)}
        if isinstance(body, list)
        else set()
    )
    assert isinstance(body, list) and emails == seeded, teach(
        f"GET {path} with two stored users answered {response.status_code}: {response.text[:200]}",
        f"200 with a JSON array of both users {sorted(seeded)}",
    )
    bad: list[str] = []
    for item in body:
        value = item.get("created_at")
        try:
            ok = isinstance(value, str) and "T" in value and bool(datetime.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            bad.append(repr(value))
    assert not bad, teach(
        f"GET {path} sent created_at as {', '.join(bad)}.",
        "an ISO 8601 date and time such as '2026-01-31T09:30:00+00:00' on every item: "
        "`created_at: datetime` in the public model",
    )
