"""Checks for chapter 2, step 3: fields the model does not declare never reach the database."""

from checks.ch02_request_validation.conftest import extra_fields_note, rows, signup
from fastlings.testing import Teach, WiredApp

# An id far above CPython's small-int cache, so no `is` comparison can pass by accident.
FORGED_ID = 4242


async def test_unknown_fields_are_never_stored(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=signup(is_admin=True, id=FORGED_ID))
    assert response.status_code in (201, 422), teach(
        f"POST {path} answered {response.status_code} to a body with undeclared fields "
        f"{{'is_admin': True, 'id': {FORGED_ID}}}: {response.text[:200]}",
        "201 with the extra fields dropped, or 422 refusing them",
    )
    stored = await rows(wired.engine, "id, email, is_admin")
    leaked = [row for row in stored if row[2] or row[0] == FORGED_ID]
    assert not leaked, teach(
        f"The client sent is_admin=true and id={FORGED_ID}, and the database stored {leaked} "
        "(id, email, is_admin)." + extra_fields_note(wired.app, path, ("is_admin", "id")),
        "a request model whose model_dump() holds its declared fields only, so fields it does "
        "not declare never reach User(...)",
    )


async def test_declared_fields_are_stored(wired: WiredApp, teach: Teach) -> None:
    path = wired.path("post", "/users")
    response = await wired.client.post(path, json=signup())
    stored = await rows(wired.engine, "email, name, is_admin")
    assert response.status_code == 201 and stored == [("ada@example.com", "Ada Lovelace", False)], (
        teach(
            f"POST {path} with a plain sign-up answered {response.status_code}; the database holds "
            f"{stored}.",
            "201, and one row with the email and name sent and is_admin false",
        )
    )
