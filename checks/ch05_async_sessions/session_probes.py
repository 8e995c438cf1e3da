"""The behaviour the chapter 5 exercises must show, observed through the learner's app.

Each probe drives the app over HTTP (in memory, through the plugin's `wire`) and watches its
sessions and every connection pool. The checks files call them with their own routes; a failed
probe says what it saw, what the pattern expects, and where the lesson explains it.
"""

import asyncio
import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.ch05_async_sessions._watch import PoolWatch, SessionWork, describe, record_crashes
from fastlings.testing import Teach, WireFactory

GET_DB = "a `get_db` that opens a session with `async with` and yields it"


@dataclass(frozen=True)
class Api:
    """The routes of the exercise under check."""

    path: str  # POST creates one item (201), GET lists them (200)
    payload: dict[str, Any]
    model: str  # the mapped class behind the path


def crashed(response: Response, crashes: list[BaseException]) -> str:
    if response.status_code != 500:
        return f": {response.text[:200]}"
    if crashes:
        return f", because the endpoint raised {describe(crashes[-1])}"
    return ""


def returns(module: ModuleType) -> str:
    """What FastAPI does with a `get_db` that has no `yield`, when the module's has none."""
    get_db = getattr(module, "get_db", None)
    if not inspect.isfunction(get_db):
        return ""
    if inspect.isasyncgenfunction(get_db) or inspect.isgeneratorfunction(get_db):
        return ""
    return (
        " `get_db` has no `yield`: FastAPI injects what it returns and has nothing to resume "
        "after the request, so nothing there closes the session."
    )


async def uses_injected_session(
    module: ModuleType, wire: WireFactory, api: Api, teach: Teach
) -> None:
    """The endpoints do their work through the session the check supplies via overrides:
    POST flushes the new row on it, GET runs its SELECT on it."""
    crashes = record_crashes(module.app)
    model = getattr(module, api.model)
    with SessionWork() as work:
        async with wire() as wired:
            created = await wired.client.post(api.path, json=api.payload)
            listed = await wired.client.get(api.path)
            handed_out = list(wired.sessions)
    assert len(handed_out) == 2, teach(
        f"POST and GET {api.path} answered {created.status_code} and {listed.status_code}; the "
        f"check replaced get_db through app.dependency_overrides, and {len(handed_out)} of the "
        "2 requests asked for its session.",
        "every endpoint takes its session as a parameter, `db: SessionDep` with "
        "SessionDep = Annotated[AsyncSession, Depends(get_db)]",
    )
    post_session, get_session = (id(s.sync_session) for s in handed_out)
    flushed = model in work.inserted.get(post_session, [])
    selected = work.selects.get(get_session, 0) > 0
    if not flushed:
        elsewhere = any(
            model in kinds for key, kinds in work.inserted.items() if key != post_session
        )
        why = "POST wrote no new row through it: " + (
            "the row went through another session."
            if elsewhere
            else f"no session flushed a new {api.model} at all (POST answered "
            f"{created.status_code}{crashed(created, crashes)})."
        )
    else:
        elsewhere = any(n for key, n in work.selects.items() if key != get_session)
        why = "GET ran no query on it: " + (
            "the query went through another session."
            if elsewhere
            else f"no session ran a query at all (GET answered {listed.status_code})."
        )
    assert flushed and selected, teach(
        f"POST and GET {api.path} answered {created.status_code} and {listed.status_code}. "
        f"Both asked for the check's session, but {why}",
        "the endpoints use the session they are given (`db.add(...)`, `await db.commit()`, "
        "`await db.scalars(...)` on `db`), never one they open themselves",
    )
    assert (created.status_code, listed.status_code) == (201, 200), teach(
        f"With the check's session injected, POST {api.path} answered {created.status_code}"
        f"{crashed(created, crashes)} and GET answered {listed.status_code}.",
        "201 and 200: the endpoints work with whichever session get_db supplies",
    )


async def pool_is_clean_after_requests(
    module: ModuleType, wire: WireFactory, api: Api, teach: Teach, requests: int = 50
) -> None:
    """After each request (POST and GET in turn), no connection is checked out of ANY pool,
    and the whole run opens only a handful of connections: one engine, reused."""
    crashes = record_crashes(module.app)
    async with wire(override=False) as wired:
        with PoolWatch() as pools:
            for number in range(1, requests + 1):
                method = "POST" if number % 2 else "GET"
                if method == "POST":
                    response = await wired.client.post(api.path, json=api.payload)
                else:
                    response = await wired.client.get(api.path)
                # A POST that crashes while reading the committed object is the subject of
                # the committed-object check; a GET that crashes means nothing works at all.
                assert method == "POST" or response.status_code < 500, teach(
                    f"Request {number} ({method} {api.path}) answered "
                    f"{response.status_code}{crashed(response, crashes)}",
                    f"requests that work: {GET_DB}, on an async_sessionmaker",
                )
                assert pools.held == 0, teach(
                    f"After request {number} of {requests} ({method} {api.path}, answered "
                    f"{response.status_code}), {pools.held} connection(s) were still checked "
                    "out. A session that is never closed keeps its connection; under load the "
                    f"pool runs dry and requests wait, then time out.{returns(module)}",
                    f"every session closed when its request ends: {GET_DB}",
                )
    assert pools.opened <= 3, teach(
        f"{requests} requests, one after another, opened {pools.opened} new database "
        "connections: a new engine (and pool) for each request, probably, instead of one "
        "engine whose pool lends the same connection again.",
        "one `engine = create_async_engine(DATABASE_URL)` at module level, shared by every session",
    )


async def concurrent_requests_get_own_sessions(
    module: ModuleType,
    wire: WireFactory,
    opened: list[Session],
    api: Api,
    teach: Teach,
    concurrency: int = 10,
) -> None:
    """Ten requests in flight at once use ten different sessions, and all succeed."""
    async with wire(override=False) as wired:
        first = await wired.client.post(api.path, json=api.payload)
        start = len(opened)
        responses: list[Response] = await asyncio.gather(
            *(wired.client.get(api.path) for _ in range(concurrency))
        )
    sessions = opened[start:]
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


async def committed_object_is_readable(
    module: ModuleType, wire: WireFactory, api: Api, teach: Teach
) -> None:
    """POST returns the object it just committed (through the app's own factory): its
    attributes must still be loaded, and the row must be in the check's database."""
    crashes = record_crashes(module.app)
    model = getattr(module, api.model)
    async with wire(override=False) as wired:
        response = await wired.client.post(api.path, json=api.payload)
        async with wired.engine.connect() as conn:
            stored = await conn.scalar(select(func.count()).select_from(model.__table__))
    if response.status_code == 500 and crashes:
        raise AssertionError(
            teach(
                f"POST {api.path} crashed while returning the object it had just committed: "
                f"{describe(crashes[-1])}",
                "objects that stay loaded after commit: "
                "async_sessionmaker(engine, expire_on_commit=False) "
                "(or `await db.refresh(obj)` before returning it)",
            )
        )
    body = response.json() if response.status_code == 201 else None
    assert isinstance(body, dict), teach(
        f"POST {api.path} answered {response.status_code}: {response.text[:200]}",
        "201 with the committed object",
    )
    missing = {k: v for k, v in api.payload.items() if body.get(k) != v}
    assert isinstance(body.get("id"), int) and not missing, teach(
        f"POST {api.path} answered {body}.",
        f"the committed object with its id and {api.payload}",
    )
    assert stored == 1, teach(
        f"POST {api.path} answered 201, but the database at DATABASE_URL holds {stored} rows.",
        "the row stored in the database the app was configured with: an engine built from "
        "DATABASE_URL, and a commit",
    )
