"""Checks for chapter 16, exercise 2: null is refused for NOT NULL fields, and clears the others."""

from typing import Any

from checks.ch16_partial_updates._contacts import ADA, answer, seed, send, stored
from fastlings.testing import Teach, WiredApp


async def patch(wired: WiredApp, body: dict[str, Any]) -> tuple[int, str, Any, Any]:
    response = await send(wired, "PATCH", ADA["id"], body)
    returned = response.json() if response.status_code == 200 else None
    return (
        response.status_code,
        await answer(wired, response),
        returned,
        await stored(wired, ADA["id"]),
    )


async def test_null_for_a_required_field_gets_422(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    for body in ({"name": None}, {"email": None}, {"name": None, "phone": "+1 555 0142"}):
        status, said, _, row = await patch(wired, body)
        assert status == 422 and row == ADA, teach(
            f"PATCH /contacts/{ADA['id']} with {body} answered {said}; the stored row is {row}.",
            "422 and the row unchanged: name and email may be left out of a PATCH, but never "
            "sent as null (a validator on them that refuses None; validators only run on "
            "values that were sent)",
        )


async def test_null_still_clears_phone_and_note(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    body = {"phone": None, "note": None}
    expected = {**ADA, "phone": None, "note": None}
    status, said, returned, row = await patch(wired, body)
    assert status == 200 and row == expected and returned == expected, teach(
        f"PATCH /contacts/{ADA['id']} with {body} answered {said}; the stored row is {row}.",
        f"200 and {expected}, as the starter did: phone and note are nullable, and an "
        "explicit null clears them",
    )


async def test_fields_left_out_are_still_kept(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    body = {"name": "Ada King"}
    expected = {**ADA, "name": "Ada King"}
    status, said, returned, row = await patch(wired, body)
    assert status == 200 and row == expected and returned == expected, teach(
        f"PATCH /contacts/{ADA['id']} with {body} answered {said}; the stored row is {row}.",
        f"200 and {expected}, as the starter did: only the fields sent change",
    )


async def test_sent_values_are_still_validated(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    for body in ({"email": "not-an-email"}, {"name": ""}, {"name": "x" * 101}):
        status, said, _, row = await patch(wired, body)
        assert status == 422 and row == ADA, teach(
            f"PATCH /contacts/{ADA['id']} with {str(body)[:60]} answered {said}; "
            f"the stored row is {row}.",
            "422 and the row unchanged, as the starter did: keep the field types and bounds",
        )
