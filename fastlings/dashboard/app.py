"""The dashboard app: routers assembled, the database owned by the lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from fastlings.dashboard.db import create_tables, make_sessionmaker
from fastlings.dashboard.routers import instructor, learners
from fastlings.dashboard.security import RateLimit
from fastlings.dashboard.settings import get_settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = app.dependency_overrides.get(get_settings, get_settings)()
    app.state.sessions = make_sessionmaker(settings.db_url)
    await create_tables(app.state.sessions)
    try:
        yield
    finally:
        await app.state.sessions.kw["bind"].dispose()


def create_app() -> FastAPI:
    app = FastAPI(title="Fastlings dashboard", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.rate_limit = RateLimit()
    app.state.changed = asyncio.Event()
    app.include_router(learners.router)
    app.include_router(instructor.login)
    app.include_router(instructor.router)
    return app
