"""Fixtures shared by the chapter 5 checks: the sessions an app opens."""

from collections.abc import AsyncIterator
from types import ModuleType

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_session
from sqlalchemy.orm import Session, SessionTransaction

from checks.ch05_async_sessions import session_probes as probes
from fastlings.testing import ClientFactory, Teach, WireFactory


@pytest.fixture
async def opened_sessions(make_client: ClientFactory) -> AsyncIterator[list[Session]]:
    """The session of every transaction begun during the check, in order (once per
    transaction), held alive so that `id()` values stay distinct. Afterwards every one of them
    is closed, so that sessions the app leaked do not keep connections past the check (this
    fixture needs `make_client`, so its teardown runs before the app's engine is disposed)."""
    began: list[Session] = []
    proxies: dict[int, AsyncSession] = {}

    def record(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
        began.append(session)
        proxy = async_session(session)
        if proxy is not None:
            proxies[id(session)] = proxy

    event.listen(Session, "after_begin", record)
    try:
        yield began
    finally:
        event.remove(Session, "after_begin", record)
        for proxy in proxies.values():
            await proxy.close()


class SessionChecks:
    """The four checks of one-session-per-request, for the resource a subclass names in `api`.

    Chapter 5's exercises 1 and 2 practise the same pattern on two resources; each checks file
    declares `class Test...(SessionChecks): api = ...`, and pytest collects these checks there
    (this conftest is never collected as a test module). Every check asks for the fixtures it
    did as a plain function: `opened_sessions` also closes the sessions the app leaked.
    """

    api: probes.Api

    async def test_endpoint_uses_injected_session(
        self, module: ModuleType, wire: WireFactory, teach: Teach
    ) -> None:
        await probes.uses_injected_session(module, wire, self.api, teach)

    async def test_pool_is_clean_after_50_requests(
        self, module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
    ) -> None:
        await probes.pool_is_clean_after_requests(module, wire, self.api, teach)

    async def test_concurrent_requests_get_own_sessions(
        self, module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
    ) -> None:
        await probes.concurrent_requests_get_own_sessions(
            module, wire, opened_sessions, self.api, teach
        )

    async def test_committed_object_is_readable(
        self, module: ModuleType, wire: WireFactory, opened_sessions: list[Session], teach: Teach
    ) -> None:
        await probes.committed_object_is_readable(module, wire, self.api, teach)
