"""Checks for chapter 3, step 1: the read route declares a public response model."""

from datetime import datetime

from checks.ch03_response_models.conftest import (
    PUBLIC,
    SEEDED_ID,
    assert_missing_user_gets_404,
    declared_model,
    leaks,
    read_seeded,
    read_template,
)
from fastlings.testing import Teach, WiredApp


async def test_openapi_documents_the_public_model(wired: WiredApp, teach: Teach) -> None:
    openapi = wired.app.openapi()
    template = read_template(wired.app)
    problem = declared_model(openapi, openapi.get("paths", {}).get(template, {}).get("get"))
    assert not problem, teach(
        f"In the OpenAPI document, GET {template}: {problem}.",
        f"the success response references a model listing only {sorted(PUBLIC)}: "
        "response_model=<your public model> (or a return annotation naming it)",
    )


async def test_read_shows_only_public_fields(wired: WiredApp, teach: Teach) -> None:
    path, response, body = await read_seeded(wired)
    assert isinstance(body, dict) and body.get("id") == SEEDED_ID, teach(
        f"GET {path} for a stored user answered {response.status_code}: {response.text[:200]}",
        "200 with that user",
    )
    found = leaks(response)
    assert not found and set(body) == PUBLIC, teach(
        f"GET {path} answered with the keys {sorted(body)}"
        + (f" and {', '.join(found)}" if found else "")
        + ".",
        f"exactly the public fields {sorted(PUBLIC)}",
    )
    value = body["created_at"]
    assert isinstance(value, str) and "T" in value and datetime.fromisoformat(value), teach(
        f"GET {path} sent created_at as {value!r}.", "an ISO 8601 date and time"
    )


async def test_missing_user_gets_404(wired: WiredApp, teach: Teach) -> None:
    await assert_missing_user_gets_404(wired, teach)
