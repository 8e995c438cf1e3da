"""Checks for chapter 3, step 2: the response model's types fit the row (created_at)."""

from typing import Any

from checks.ch03_response_models.conftest import (
    assert_missing_user_gets_404,
    assert_read_created_at_iso,
    component_of,
    read_template,
)
from fastlings.testing import Teach, WiredApp


async def test_read_answers_iso_created_at(wired: WiredApp, teach: Teach) -> None:
    await assert_read_created_at_iso(
        wired,
        teach,
        "200 with created_at",
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
    await assert_missing_user_gets_404(wired, teach)
