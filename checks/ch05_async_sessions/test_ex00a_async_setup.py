"""Checks for chapter 5, step 1: the async database layer (engine, factory, get_db).

The app runs with its OWN get_db (no override): what is observed is the database layer the
learner wrote. The plugin points DATABASE_URL at the check's fresh database and creates nothing
there; the checks create the tables, as migrations would.
"""

from types import ModuleType

from sqlalchemy import insert
from sqlalchemy.orm import Session

from checks.ch05_async_sessions import session_probes as probes
from checks.ch05_async_sessions._watch import record_crashes
from fastlings.testing import Teach, WireFactory

BOOKMARKS = probes.Api(
    path="/bookmarks",
    payload={"url": "https://docs.python.org/3/library/asyncio.html", "title": "asyncio"},
    model="Bookmark",
)
SEEDED = [
    {"id": 7, "url": "https://fastapi.tiangolo.com/", "title": "FastAPI"},
    {"id": 300, "url": "file:///C:/notes/todo.txt", "title": "C:\\notes\\todo"},
]


async def test_bookmarks_are_read_through_get_db(
    module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    crashes = record_crashes(module.app)
    async with wire(override=False) as wired:
        async with wired.engine.begin() as conn:
            await conn.execute(insert(module.Bookmark.__table__), SEEDED)
        response = await wired.client.get("/bookmarks")
    assert response.status_code == 200, teach(
        f"GET /bookmarks answered {response.status_code}{probes.crashed(response, crashes)}",
        "200 with the stored bookmarks: an engine from `create_async_engine(DATABASE_URL)`, "
        "AsyncSessions from `async_sessionmaker`, and an async generator `get_db`",
    )
    assert response.json() == SEEDED, teach(
        f"GET /bookmarks answered {response.json()!r}.",
        f"the bookmarks stored in the database at DATABASE_URL: {SEEDED!r}",
    )


async def test_new_bookmark_is_stored_and_returned(
    module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.committed_object_is_readable(module, wire, BOOKMARKS, teach)


async def test_sessions_are_closed_and_the_engine_shared(
    module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.pool_is_clean_after_requests(module, wire, BOOKMARKS, teach, requests=20)
