"""Checks for chapter 5, exercise 2: sessions from Depends(get_db), readable after commit."""

from types import ModuleType

from sqlalchemy.orm import Session

from checks.ch05_async_sessions import session_probes as probes
from fastlings.testing import Teach, WireFactory

TASKS = probes.Api(path="/tasks", payload={"title": "Water the plants"}, model="Task")


async def test_endpoint_uses_injected_session(
    module: ModuleType, wire: WireFactory, teach: Teach
) -> None:
    await probes.uses_injected_session(module, wire, TASKS, teach)


async def test_pool_is_clean_after_50_requests(
    module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.pool_is_clean_after_requests(module, wire, TASKS, teach)


async def test_concurrent_requests_get_own_sessions(
    module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.concurrent_requests_get_own_sessions(module, wire, opened_sessions, TASKS, teach)


async def test_committed_object_is_readable(
    module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.committed_object_is_readable(module, wire, TASKS, teach)
