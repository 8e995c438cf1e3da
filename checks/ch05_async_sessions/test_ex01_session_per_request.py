"""Checks for chapter 5, exercise 1: one session per request, closed when the request ends."""

from collections.abc import Callable
from types import ModuleType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from checks.ch05_async_sessions import session_probes as probes
from fastlings.testing import ClientFactory

Teach = Callable[[str, str], str]
NOTES = probes.Api(path="/notes", payload={"title": "Buy milk"})


async def test_endpoint_uses_injected_session(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    opened_sessions: list[Session],
    teach: Teach,
) -> None:
    await probes.uses_injected_session(
        module, engine, sessionmaker, make_client, opened_sessions, NOTES, teach
    )


async def test_pool_is_clean_after_50_requests(
    module: ModuleType,
    module_engine: AsyncEngine,
    make_client: ClientFactory,
    opened_sessions: list[Session],
    teach: Teach,
) -> None:
    await probes.pool_is_clean_after_requests(
        module, module_engine, make_client, opened_sessions, NOTES, teach
    )


async def test_concurrent_requests_get_own_sessions(
    module: ModuleType, make_client: ClientFactory, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.concurrent_requests_get_own_sessions(
        module, make_client, opened_sessions, NOTES, teach
    )


async def test_committed_object_is_readable(
    module: ModuleType, opened_sessions: list[Session], teach: Teach
) -> None:
    await probes.committed_object_is_readable(module, NOTES, teach)
