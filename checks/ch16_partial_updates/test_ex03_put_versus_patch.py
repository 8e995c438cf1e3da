"""Checks for chapter 16, exercise 3: PUT replaces the whole contact, PATCH merges, 404s."""

from typing import Any

from checks.ch16_partial_updates._contacts import ADA, MISSING, answer, seed, send, stored
from fastlings.testing import Teach, WiredApp

WHOLE = {
    "name": "Ada King",
    "email": "ada.king@example.com",
    "phone": "+44 20 7946 0001",
    "note": "new note",
}


async def test_put_on_missing_contact_gets_404(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    response = await send(wired, "PUT", MISSING, WHOLE)
    assert response.status_code == 404, teach(
        f"PUT /contacts/{MISSING} (no such contact) with a whole contact answered "
        f"{await answer(wired, response)}",
        "404, as GET and PATCH answer: look the row up through the same helper "
        "(get_contact), which raises HTTPException(404)",
    )
    created = await stored(wired, MISSING)
    assert created is None, teach(
        f"PUT /contacts/{MISSING} created the row {created}.",
        "404 and no row: this API creates contacts elsewhere, PUT only replaces",
    )


async def test_get_and_patch_on_missing_contact_still_get_404(
    wired: WiredApp, teach: Teach
) -> None:
    await seed(wired)
    for method, body in (("GET", None), ("PATCH", {"phone": "+1 555 0199"})):
        response = await send(wired, method, MISSING, body)
        assert response.status_code == 404, teach(
            f"{method} /contacts/{MISSING} answered {await answer(wired, response)}",
            "404, as the starter answered",
        )


async def test_put_requires_the_whole_contact(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    partial: list[dict[str, Any]] = [
        {"phone": "+1 555 0142"},
        {"name": "Ada King"},
        {"email": "ada.king@example.com", "note": "no name"},
        {**WHOLE, "name": None},
    ]
    for body in partial:
        response = await send(wired, "PUT", ADA["id"], body)
        row = await stored(wired, ADA["id"])
        assert response.status_code == 422 and row == ADA, teach(
            f"PUT /contacts/{ADA['id']} with {body} answered {await answer(wired, response)}; "
            f"the stored row is {row}.",
            "422 and the row unchanged: a PUT body is the whole contact, so name and email "
            "are required (a body model of its own, e.g. ContactReplace, with `name: Name` and "
            "`email: EmailStr`)",
        )


async def test_put_clears_the_fields_left_out(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    body = {"name": "Ada King", "email": "ada.king@example.com"}
    expected = {"id": ADA["id"], **body, "phone": None, "note": None}
    response = await send(wired, "PUT", ADA["id"], body)
    row = await stored(wired, ADA["id"])
    returned = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and row == expected and returned == expected, teach(
        f"PUT /contacts/{ADA['id']} with {body} answered {await answer(wired, response)}; "
        f"the stored row is {row}.",
        f"200 and {expected}: PUT replaces the contact, so a phone or note left out is gone "
        "(apply payload.model_dump(), every field, not exclude_unset)",
    )


async def test_put_with_every_field_replaces_them(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    expected = {"id": ADA["id"], **WHOLE}
    response = await send(wired, "PUT", ADA["id"], WHOLE)
    row = await stored(wired, ADA["id"])
    assert response.status_code == 200 and row == expected, teach(
        f"PUT /contacts/{ADA['id']} with {WHOLE} answered {await answer(wired, response)}; "
        f"the stored row is {row}.",
        f"200 and {expected}",
    )


async def test_patch_still_merges(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    body = {"note": None}
    expected = {**ADA, "note": None}
    response = await send(wired, "PATCH", ADA["id"], body)
    row = await stored(wired, ADA["id"])
    assert response.status_code == 200 and row == expected, teach(
        f"PATCH /contacts/{ADA['id']} with {body} answered {await answer(wired, response)}; "
        f"the stored row is {row}.",
        f"200 and {expected}, as the starter did: PATCH changes only what was sent",
    )
