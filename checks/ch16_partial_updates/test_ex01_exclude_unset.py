"""Checks for chapter 16, exercise 1: PATCH changes the fields sent and keeps the others."""

from typing import Any

from checks.ch16_partial_updates._contacts import ADA, BOB, MISSING, answer, seed, send, stored
from fastlings.testing import Teach, WiredApp

PATTERN = "apply payload.model_dump(exclude_unset=True): the fields sent, and only those"


async def patch_and_compare(
    wired: WiredApp, body: dict[str, Any], expected: dict[str, Any], teach: Teach, why: str
) -> None:
    response = await send(wired, "PATCH", ADA["id"], body)
    row = await stored(wired, ADA["id"])
    returned = response.json() if response.status_code == 200 else None
    assert response.status_code == 200 and row == expected and returned == expected, teach(
        f"PATCH /contacts/{ADA['id']} with {body} ({why}) answered "
        f"{await answer(wired, response)}; the stored row is now {row}.",
        f"200, and the row (stored and returned) {expected}: {PATTERN}",
    )


async def test_fields_left_out_keep_their_values(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    changed = {**ADA, "phone": "+33 1 23 45 67 89"}
    await patch_and_compare(
        wired, {"phone": changed["phone"]}, changed, teach, "only the phone is sent"
    )
    await patch_and_compare(wired, {}, changed, teach, "nothing is sent")
    other = await stored(wired, BOB["id"])
    assert other == BOB, teach(
        f"After PATCHing contact {ADA['id']}, contact {BOB['id']} is stored as {other}.",
        "the other contacts untouched",
    )


async def test_explicit_null_clears_a_nullable_field(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    await patch_and_compare(
        wired, {"note": None}, {**ADA, "note": None}, teach, "an explicit null for the note"
    )


async def test_sent_fields_are_still_validated(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    for body in ({"email": "not-an-email"}, {"name": ""}, {"phone": 12}):
        response = await send(wired, "PATCH", ADA["id"], body)
        row = await stored(wired, ADA["id"])
        assert response.status_code == 422 and row == ADA, teach(
            f"PATCH /contacts/{ADA['id']} with {body} answered {await answer(wired, response)};"
            f" the stored row is {row}.",
            "422 and the row unchanged, as the starter did: the fields that are sent are "
            "validated by ContactUpdate",
        )


async def test_missing_contact_gets_404(wired: WiredApp, teach: Teach) -> None:
    await seed(wired)
    response = await send(wired, "PATCH", MISSING, {"phone": "+1 555 0199"})
    assert response.status_code == 404, teach(
        f"PATCH /contacts/{MISSING} (no such contact) answered {await answer(wired, response)}",
        "404, as the starter answered",
    )
