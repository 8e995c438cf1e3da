"""Checks for chapter 16, exercise 1: PATCH changes the fields sent and keeps the others."""

from typing import Any

from checks.ch16_partial_updates._contacts import (
    ADA,
    BOB,
    MISSING,
    answer,
    seed,
    send,
    stored,
    update,
)
from fastlings.testing import Teach, WiredApp

PATTERN = "apply payload.model_dump(exclude_unset=True): the fields sent, and only those"


def differences(body: dict[str, Any], expected: dict[str, Any], row: dict[str, Any] | None) -> str:
    """Which fields of the stored row did not end as the PATCH should leave them, and how."""
    if row is None:
        return ""
    wrong = [f for f in expected if row.get(f) != expected[f]]
    unsent = [f for f in wrong if f not in body]
    sent = [f for f in wrong if f in body]
    parts = []
    if sent:
        nulls = " (an explicit null was dropped)" if all(body[f] is None for f in sent) else ""
        parts.append(f"the field(s) sent but not applied: {', '.join(sent)}{nulls}")
    if unsent:
        shown = ", ".join(f"{f} = {row.get(f)!r}" for f in unsent)
        parts.append(f"the field(s) not sent, yet changed: {shown}")
    return f" ({'; '.join(parts)})" if parts else ""


async def patch_and_compare(
    wired: WiredApp, body: dict[str, Any], expected: dict[str, Any], teach: Teach, why: str
) -> None:
    status, said, returned, row = await update(wired, "PATCH", body)
    assert status == 200 and row == expected and returned == expected, teach(
        f"PATCH /contacts/{ADA['id']} with {body} ({why}) answered "
        f"{said}; the stored row is now {row}{differences(body, expected, row)}.",
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
        status, said, _, row = await update(wired, "PATCH", body)
        assert status == 422 and row == ADA, teach(
            f"PATCH /contacts/{ADA['id']} with {body} answered {said}; the stored row is {row}.",
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
