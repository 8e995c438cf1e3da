"""Checks for chapter 3, step 2: the response model's types fit the row (created_at)."""

from datetime import datetime
from typing import Any

from checks.ch03_response_models.conftest import (
    SEEDED_ID,
    component_of,
    read_path,
    read_template,
    seed,
)
from fastlings.testing import Teach, WiredApp


async def test_read_answers_iso_created_at(wired: WiredApp, teach: Teach) -> None:
    user_id = await seed(wired.engine, "grace@example.com", "Grace Hopper", SEEDED_ID)
    path = read_path(wired.app, user_id)
    response = await wired.client.get(path)
    body = response.json() if response.status_code == 200 else None
    value = body.get("created_at") if isinstance(body, dict) else None
    assert isinstance(value, str), teach(
        f"GET {path} for a stored user answered {response.status_code}: {response.text[:200]}",
        "200 with created_at",
    )
    try:
        parsed: datetime | None = datetime.fromisoformat(value) if "T" in value else None
    except ValueError:
        parsed = None
    assert parsed is not None, teach(
        f"GET {path} sent created_at as {value!r}.",
        "an ISO 8601 date and time such as '2026-01-31T09:30:00+00:00', which Pydantic writes "
        "for a field declared as a datetime",
    )


async def test_openapi_documents_created_at_as_date_time(wired: WiredApp, teach: Teach) -> None:
    openapi: dict[str, Any] = wired.app.openapi()
    template = read_template(wired.app)
    component = component_of(openapi, openapi.get("paths", {}).get(template, {}).get("get"))
    field = component.get("properties", {}).get("created_at", {})
    formats = {field.get("format")} | {o.get("format") for o in field.get("anyOf", [])}
    assert "date-time" in formats, teach(
        f"In the OpenAPI document, the response model of GET {template} describes created_at "
        f"as {field or 'nothing'}.",
        "a string with format date-time: created_at declared as a datetime",
    )


async def test_missing_user_gets_404(wired: WiredApp, teach: Teach) -> None:
    path = read_path(wired.app, SEEDED_ID + 1)
    response = await wired.client.get(path)
    assert response.status_code == 404, teach(
        f"GET {path}, for a user that does not exist, answered {response.status_code}.",
        "404 with a detail, as before",
    )
