"""Checks for chapter 6, exercise 2: 409 for a duplicate email, then a session that still works.

Every request of a check gets the SAME session from the check (as test suites that wrap a test
in one transaction do), so a session left in a failed transaction shows up on the next request.
"""

from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

from checks.ch06_http_errors._http import detail_of
from fastlings.testing import ClientFactory, Teach, body_of, create_schema, fetch_rows, route_path

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
ADA_AGAIN = {"email": "ada@example.com", "name": "Someone Else"}
GRACE = {"email": "grace@example.com", "name": "Grace Hopper"}


@pytest.fixture
async def client(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
) -> AsyncIterator[AsyncClient]:
    """The learner's app; `get_db` hands every request one shared session of the check's."""
    await create_schema(engine, module.Base.metadata)
    async with sessionmaker() as session:

        async def shared_session() -> AsyncIterator[AsyncSession]:
            yield session

        module.app.dependency_overrides[module.get_db] = shared_session
        async with make_client(module.app) as http:
            yield http


@pytest.fixture
def database_errors(engine: AsyncEngine) -> Iterator[list[str]]:
    """The text of every error the database raised on the check's engine during the check."""
    seen: list[str] = []

    def record(context: Any) -> None:
        seen.append(str(context.original_exception))

    event.listen(engine.sync_engine, "handle_error", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "handle_error", record)


DATABASE_WORDS = ("unique constraint", "duplicate key", "integrityerror", "insert into", "users.")


def echoes_database(detail: str, errors: list[str]) -> str | None:
    """A piece of the database's own error text found in `detail`, if any."""
    lowered = detail.lower()
    for word in DATABASE_WORDS:
        if word in lowered:
            return word
    for error in errors:
        first = error.strip().splitlines()[0] if error.strip() else ""
        for start in range(0, max(len(first) - 15, 0), 5):
            piece = first[start : start + 16]
            if piece.strip() and piece.lower() in lowered:
                return piece
    return None


async def assert_user_rows(
    engine: AsyncEngine, expected: int, teach: Teach, after: str, wanted: str
) -> None:
    """The users table holds `expected` rows; `after` says what the check did before counting."""
    rows = int((await fetch_rows(engine, "SELECT count(*) FROM users"))[0][0])
    assert rows == expected, teach(f"{after} the users table holds {rows} rows.", wanted)


async def test_duplicate_email_gets_409_with_detail(
    module: ModuleType,
    client: AsyncClient,
    engine: AsyncEngine,
    database_errors: list[str],
    teach: Teach,
) -> None:
    path = route_path(module.app, "post", "/users")
    first = await client.post(path, json=ADA)
    assert first.status_code == 201, teach(
        f"POST {path} with a new email answered {first.status_code} {body_of(first)!r}.",
        "201 for a new user: only the duplicate case changes in this exercise",
    )
    second = await client.post(path, json=ADA_AGAIN)
    body = body_of(second)
    assert second.status_code == 409, teach(
        f"POST {path} with an email that is already registered answered "
        f"{second.status_code} {body!r}.",
        "409 Conflict, from catching IntegrityError around the commit and raising "
        "HTTPException(status_code=409, detail=...)",
    )
    detail = detail_of(body)
    assert detail is not None, teach(
        f"The 409 came with the body {body!r}.",
        'a JSON body {"detail": "<non-empty text>"}, as HTTPException(409, detail=...) makes',
    )
    echoed = echoes_database(detail, database_errors)
    assert not echoed, teach(
        f"The 409's detail repeats the database's own error text ({echoed!r}): {detail!r}. It "
        "tells a stranger the table, the column and the database behind the API, and changes "
        "whenever the database does.",
        "a detail written for the client, e.g. 'Email already registered', never str(exc)",
    )
    await assert_user_rows(
        engine,
        1,
        teach,
        "After one sign-up and one refused duplicate,",
        "exactly 1 row: the unique constraint on email refuses the duplicate",
    )


async def test_next_signup_works_after_a_conflict(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    path = route_path(module.app, "post", "/users")
    await client.post(path, json=ADA)
    duplicate = await client.post(path, json=ADA_AGAIN)
    after = await client.post(path, json=GRACE)
    assert after.status_code == 201, teach(
        f"After the duplicate sign-up (answered {duplicate.status_code}), POST {path} with a "
        f"new email on the same session answered {after.status_code} {body_of(after)!r}. "
        "A session left in a failed transaction refuses every later statement "
        "(PendingRollbackError).",
        "`await db.rollback()` in the except block, before raising the 409, so the session can "
        "run the next statement",
    )
    await assert_user_rows(
        engine,
        2,
        teach,
        "After two sign-ups and one refused duplicate,",
        "2 rows: the refused duplicate leaves no trace, the next sign-up is stored",
    )


async def test_duplicate_registered_meanwhile_gets_409(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, db_url: str, teach: Teach
) -> None:
    """Another client registers the same email just before the app's INSERT runs: the window
    between a `SELECT ... WHERE email = ?` pre-check and the INSERT, opened on purpose."""
    other_client = create_async_engine(db_url)
    raced: list[bool] = []

    async def register_elsewhere() -> None:
        async with other_client.begin() as conn:
            await conn.execute(
                text("INSERT INTO users (email, name) VALUES (:email, :name)"), ADA_AGAIN
            )

    def before_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not raced and statement.lstrip().upper().startswith("INSERT INTO USERS"):
            raced.append(True)
            await_(register_elsewhere())  # runs on the event loop, from SQLAlchemy's greenlet

    event.listen(engine.sync_engine, "before_cursor_execute", before_insert)
    try:
        path = route_path(module.app, "post", "/users")
        response = await client.post(path, json=ADA)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before_insert)
        await other_client.dispose()
    assert raced, teach(
        f"POST {path} answered {response.status_code} without running an INSERT INTO users on "
        "the session that get_db hands out.",
        "the endpoint writes the new user through the injected session (Depends(get_db))",
    )
    body = body_of(response)
    assert response.status_code == 409, teach(
        f"Another client registered {ADA['email']} between this request's checks and its "
        f"INSERT; POST {path} then answered {response.status_code} {body!r}. A SELECT before "
        "the INSERT cannot see a row that does not exist yet.",
        "the unique constraint decides: catch IntegrityError on commit, roll back, answer 409 "
        "(a SELECT pre-check may stay as a fast path, but it cannot replace the except)",
    )
    await assert_user_rows(
        engine,
        1,
        teach,
        "After the raced sign-up",
        "1 row: the other client's; the refused duplicate leaves no trace",
    )


async def test_unrelated_failure_is_not_a_409(
    module: ModuleType, client: AsyncClient, engine: AsyncEngine, teach: Teach
) -> None:
    """The database fails for a reason that is not a conflict (here: it is locked): the
    client must not be told to change its data."""

    def locked(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO USERS"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    path = route_path(module.app, "post", "/users")
    event.listen(engine.sync_engine, "before_cursor_execute", locked)
    try:
        response = await client.post(path, json=GRACE)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", locked)
    assert response.status_code >= 500, teach(
        f"While the database was failing for another reason (OperationalError: database is "
        f"locked), POST {path} with a new email answered {response.status_code} "
        f"{body_of(response)!r}. The client is told its data clashes, and retries with "
        "another email that would fail just the same.",
        "only a refused duplicate becomes a 409: `except IntegrityError` (not `Exception`, "
        "`SQLAlchemyError` or `DBAPIError`); every other failure stays a 500",
    )
