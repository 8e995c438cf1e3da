"""The learner's app over HTTP: a client with lifespan, the app wired to the check's database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from fastlings.plugin.keys import learner_file_key
from fastlings.plugin.observe import Observations, for_item
from fastlings.plugin.serving import observe_app, response_hook
from fastlings.testing import (
    ClientFactory,
    StatementLog,
    WiredApp,
    WireFactory,
    create_schema,
    override_sessions,
    require,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from httpx import AsyncClient
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


def _observations(request: pytest.FixtureRequest, module: ModuleType, db_url: str) -> Observations:
    observations = for_item(request.node)
    observations.module = module
    observations.learner_file = request.node.stash.get(learner_file_key, None)
    observations.db_url = db_url
    return observations


@pytest.fixture
def make_client(
    request: pytest.FixtureRequest,
    module: ModuleType,
    db_url: str,
    _dispose_module_engines: None,
) -> ClientFactory:
    """`async with make_client(app) as client:` runs the app's lifespan and gives an
    `httpx.AsyncClient` over `ASGITransport`. Unhandled app exceptions become 500 responses,
    and `app.dependency_overrides` is cleared afterwards. What the app raises and answers is
    recorded (`fastlings/plugin/observe.py`) so that a failure can name its cause."""
    observations = _observations(request, module, db_url)

    @asynccontextmanager
    async def factory(app: FastAPI) -> AsyncIterator[AsyncClient]:
        from httpx import ASGITransport, AsyncClient

        transport = ASGITransport(app=observe_app(app, observations), raise_app_exceptions=False)
        hooks = {"response": [response_hook(app, observations)]}
        try:
            async with (
                app.router.lifespan_context(app),
                AsyncClient(
                    transport=transport, base_url="http://test", event_hooks=hooks
                ) as client,
            ):
                yield client
        finally:
            app.dependency_overrides.clear()

    return factory


@pytest.fixture
def observed_app(
    request: pytest.FixtureRequest, module: ModuleType, db_url: str
) -> Callable[[Any], Any]:
    """`observed_app(app)`: the ASGI app for a check that calls it itself (to time a stream as
    it arrives); what it raises and each 4xx/5xx it answers is recorded, as for `make_client`,
    so that a failure can name its cause."""
    observations = _observations(request, module, db_url)
    return lambda app: observe_app(app, observations, driven=True)


@pytest.fixture
def wire(
    module: ModuleType,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_client: ClientFactory,
    lesson: str,
) -> WireFactory:
    """`async with wire() as wired:` the learner's app with the check's database behind it.

    By default: the tables of `module.Base.metadata` are created on the check's fresh database,
    `module.get_db` is overridden to hand out the check's own sessions (recorded in
    `wired.sessions`), and a client runs the app with its lifespan. Every part can be changed:
    `app=`, `metadata=` (or `schema=False`), `dependency=` (or `override=False`).
    """

    @asynccontextmanager
    async def factory(
        *,
        app: FastAPI | None = None,
        metadata: Any = None,
        schema: bool = True,
        dependency: Callable[..., Any] | None = None,
        override: bool = True,
    ) -> AsyncIterator[WiredApp]:
        the_app = (
            app
            if app is not None
            else require(module, "app", "the FastAPI application as a top-level `app`", lesson)
        )
        if schema:
            if metadata is None:
                base = require(module, "Base", "the declarative base class `Base`", lesson)
                metadata = base.metadata
            await create_schema(engine, metadata)
        handed_out: list[AsyncSession] = []
        if override:
            if dependency is None:
                dependency = require(
                    module, "get_db", "a `get_db` dependency that yields a session", lesson
                )
            handed_out = override_sessions(the_app, dependency, sessionmaker)
        async with make_client(the_app) as client:
            yield WiredApp(module, the_app, client, engine, sessionmaker, handed_out)

    return factory


@pytest.fixture
async def wired(wire: WireFactory) -> AsyncIterator[WiredApp]:
    """The learner's app with the default wiring of `wire` (schema, `get_db`, client)."""
    async with wire() as wired_app:
        yield wired_app


@pytest.fixture
def sql(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Every SQL statement run on the check's engine during the check (`len(sql)`)."""
    with StatementLog(engine) as log:
        yield log
