"""The behaviour both chapter 5 exercises must show, observed through the learner's app.

Each probe drives the app over HTTP (in memory) and watches its sessions and its engine's pool.
The checks files call them with their own routes; a failed probe says what it saw, what the
pattern expects, and where the lesson explains it.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from fastlings.testing import ClientFactory, create_schema, override_sessions

Teach = Callable[[str, str], str]


@dataclass(frozen=True)
class Api:
    """The routes of the exercise under check."""

    path: str  # POST creates one item (201), GET lists them (200)
    payload: dict[str, Any]


GET_DB = "get_db: `async with SessionLocal() as session: yield session`"


async def uses_injected_session(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    opened: list[Session],
    api: Api,
    teach: Teach,
) -> None:
    """The endpoints work through the session the check supplies via dependency_overrides."""
    await create_schema(engine, module.Base.metadata)
    handed_out = override_sessions(module.app, module.get_db, sessionmaker)
    async with make_client(module.app) as client:
        created = await client.post(api.path, json=api.payload)
        listed = await client.get(api.path)
    used = [s for s in handed_out if any(o is s.sync_session for o in opened)]
    assert len(handed_out) >= 2 and len(used) == len(handed_out), teach(
        f"POST and GET {api.path} answered {created.status_code} and {listed.status_code}; the "
        f"check replaced get_db through app.dependency_overrides, and {len(handed_out)} of the "
        f"2 requests asked for its session ({len(used)} used it).",
        "every endpoint takes its session as a parameter, `db: SessionDep` with "
        "SessionDep = Annotated[AsyncSession, Depends(get_db)], and queries through it",
    )
    assert (created.status_code, listed.status_code) == (201, 200), teach(
        f"With the check's session injected, POST {api.path} answered {created.status_code} "
        f"and GET {api.path} answered {listed.status_code}: {listed.text[:200]}",
        "201 and 200: the endpoints work with whichever session get_db supplies",
    )


def checked_out(engine: AsyncEngine, opened: list[Session]) -> int:
    """Connections held right now: the pool's count, or open transactions for other pools."""
    counter = getattr(engine.pool, "checkedout", None)
    if callable(counter):
        return int(counter())
    return sum(1 for session in {id(s): s for s in opened}.values() if session.in_transaction())


async def pool_is_clean_after_requests(
    module: ModuleType,
    engine: AsyncEngine,
    make_client: ClientFactory,
    opened: list[Session],
    api: Api,
    teach: Teach,
    requests: int = 50,
) -> None:
    """After each of 50 requests (POST and GET in turn), no connection is checked out."""
    async with make_client(module.app) as client:
        for number in range(1, requests + 1):
            method = "POST" if number % 2 else "GET"
            if method == "POST":
                response = await client.post(api.path, json=api.payload)
            else:
                response = await client.get(api.path)
            held = checked_out(engine, opened)
            assert held == 0, teach(
                f"After request {number} of {requests} ({method} {api.path}, answered "
                f"{response.status_code}), {held} connection(s) were still checked out of the "
                "engine's pool. A session that is never closed keeps its connection; under "
                "load the pool runs dry and requests wait, then time out.",
                f"every session closed when its request ends: {GET_DB}",
            )


async def concurrent_requests_get_own_sessions(
    module: ModuleType,
    make_client: ClientFactory,
    opened_events: list[Session],
    api: Api,
    teach: Teach,
    concurrency: int = 10,
) -> None:
    """Ten requests in flight at once use ten different sessions, and all succeed."""
    async with make_client(module.app) as client:
        first = await client.post(api.path, json=api.payload)
        start = len(opened_events)
        responses: list[Response] = await asyncio.gather(
            *(client.get(api.path) for _ in range(concurrency))
        )
    sessions = opened_events[start:]
    distinct = len({id(session) for session in sessions})
    statuses = sorted(response.status_code for response in responses)
    assert distinct >= concurrency, teach(
        f"{concurrency} concurrent GET {api.path} requests (after a POST that answered "
        f"{first.status_code}) ran their queries on {distinct} distinct session(s); they "
        f"answered {statuses}. A shared session mixes their transactions: one request's "
        "rollback or commit is everyone's.",
        f"a new session for every request, from {GET_DB}",
    )
    assert statuses == [200] * concurrency, teach(
        f"{concurrency} concurrent GET {api.path} requests answered {statuses}.",
        "200 for each: requests that do not share a session cannot disturb each other",
    )


def error_detail(exc: Exception) -> str:
    """The first line of an exception; for FastAPI's ResponseValidationError, the first
    error it wraps (MissingGreenlet or DetachedInstanceError while reading an attribute)."""
    text = str(exc)
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if isinstance(found, list | tuple) and found and isinstance(found[0], dict):
            text = f"{found[0].get('loc', '')} {found[0].get('msg', text)}"
    lines = text.strip().splitlines()
    return lines[0][:240] if lines else ""


async def committed_object_is_readable(module: ModuleType, api: Api, teach: Teach) -> None:
    """POST returns the object it just committed: its attributes must still be loaded."""
    transport = ASGITransport(app=module.app)  # let the app's exception reach the check
    async with (
        module.app.router.lifespan_context(module.app),
        AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        try:
            response = await client.post(api.path, json=api.payload)
        except Exception as exc:
            detail = error_detail(exc)
            raise AssertionError(
                teach(
                    f"POST {api.path} crashed while returning the object it had just "
                    f"committed: {type(exc).__name__}: {detail}",
                    "objects that stay loaded after commit: "
                    "async_sessionmaker(engine, expire_on_commit=False) "
                    "(or `await db.refresh(obj)` before returning it)",
                )
            ) from None
    body = response.json() if response.status_code < 500 else None
    assert response.status_code == 201 and isinstance(body, dict), teach(
        f"POST {api.path} answered {response.status_code}: {response.text[:200]}",
        "201 with the committed object",
    )
    missing = {k: v for k, v in api.payload.items() if body.get(k) != v}
    assert isinstance(body.get("id"), int) and not missing, teach(
        f"POST {api.path} answered {body}.",
        f"the committed object with its id and {api.payload}",
    )
