"""Checks for chapter 2, exercise 1: a validated sign-up body.

Each check posts bodies to the learner's app, whose `get_db` is overridden to hand out sessions
on the check's own database, and observes the status code, the 422 details and the stored rows.
"""

from checks.ch02_request_validation.conftest import (
    assert_boundaries_accepted,
    assert_rejected,
    extra_fields_note,
    rows,
    signup,
    without,
)
from fastlings.testing import StatementLog, Teach, WiredApp

COLUMNS = "id, email, name, age, is_admin"
FORGED_ID = 4242  # far above CPython's small-int cache: an `is` comparison cannot pass


INVALID = [
    ("email", signup(email="not-an-email"), "email 'not-an-email'", "EmailStr"),
    ("name", signup(name=""), "an empty name", "Field(min_length=1)"),
    ("name", signup(name="x" * 101), "a 101-character name", "Field(max_length=100)"),
    ("age", signup(age=-1), "age -1", "Field(None, ge=0)"),
    ("age", signup(age=151), "age 151", "Field(None, le=150)"),
    ("email", without("email"), "no email at all", "a required email field"),
    ("name", without("name"), "no name at all", "a required name field"),
]


async def test_invalid_fields_get_422_naming_the_field(wired: WiredApp, teach: Teach) -> None:
    await assert_rejected(wired, teach, INVALID, naming="the field's name", columns=COLUMNS)


async def test_boundary_values_are_accepted(wired: WiredApp, teach: Teach) -> None:
    edges = [
        (signup(email="one@example.com", name="x"), "a 1-character name"),
        (signup(email="hundred@example.com", name="y" * 100), "a 100-character name"),
        (signup(email="zero@example.com", age=0), "age 0"),
        (signup(email="old@example.com", age=150), "age 150"),
        (signup(email="ageless@example.com"), "no age at all"),
        (signup(email="slash@example.com", name="O\\Brien"), "a name with a backslash"),
    ]
    await assert_boundaries_accepted(
        wired,
        teach,
        edges,
        "the bounds are inclusive: min_length=1, max_length=100, ge=0, le=150, and age is "
        "optional (int | None = Field(None, ...))",
    )


async def test_unknown_fields_are_never_stored(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    path = wired.path("post", "/users")
    body = signup(is_admin=True, id=FORGED_ID)
    response = await wired.client.post(path, json=body)
    assert response.status_code in (201, 422), teach(
        f"POST {path} answered {response.status_code} to a body with undeclared fields "
        f"{{'is_admin': True, 'id': {FORGED_ID}}}: {response.text[:200]}",
        "201 with the extra fields ignored (Pydantic's default), or 422 with "
        'model_config = ConfigDict(extra="forbid")',
    )
    assert wired.sessions, teach(
        f"POST {path} answered {response.status_code} without asking for a session through "
        "get_db (the check's override never ran).",
        "the endpoint writes through `db: AsyncSession = Depends(get_db)`",
    )
    inserted = [q for q in sql.statements if q.lstrip().upper().startswith("INSERT")]
    assert response.status_code != 201 or inserted, teach(
        f"POST {path} answered 201 and asked get_db for a session, but no INSERT ran on that "
        "session: the row was written some other way.",
        "the user added and committed on the injected session",
    )
    stored = await rows(wired.engine, COLUMNS)
    leaked = [row for row in stored if row[4] or row[0] == FORGED_ID]
    assert not leaked, teach(
        f"The client sent is_admin=true and id={FORGED_ID}, and the database stored {leaked} "
        "(id, email, name, age, is_admin)."
        + extra_fields_note(wired.app, path, ("is_admin", "id")),
        "the ORM object built from the request model, User(**payload.model_dump()), so fields "
        "the model does not declare never reach the database",
    )
