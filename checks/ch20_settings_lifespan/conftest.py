"""What the learner's code creates, and when: settings, engines and HTTP clients.

The `spy` fixture wraps `BaseSettings.__init__`, `AsyncEngine.__init__` and
`httpx.AsyncClient.__init__` before the learner's module is imported, and records each object
that the learner's own file creates (its file is on the call stack), with the phase it was
created in: "import" while the module is being imported, "running" afterwards (the lifespan, a
request). Objects the checks or the plugin create are not recorded.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from pydantic_settings import BaseSettings
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.check_services import RatesService, serve_rates
from fastlings.course.manifest import Entry, Target
from fastlings.plugin import databases

KINDS: dict[str, type] = {
    "settings": BaseSettings,
    "engine": AsyncEngine,
    "client": httpx.AsyncClient,
}


@dataclass
class Created:
    kind: str
    obj: Any
    phase: str
    line: int | None


@dataclass
class Spy:
    learner_file: Path
    phase: str = "import"
    created: list[Created] = field(default_factory=list)
    open_connections: dict[int, int] = field(default_factory=dict)
    """Per engine (by id): DBAPI connections opened and not yet closed."""

    def of(self, kind: str, phase: str | None = None) -> list[Created]:
        return [c for c in self.created if c.kind == kind and phase in (None, c.phase)]

    def learner_line(self) -> int | None:
        frame = sys._getframe(2)
        while frame is not None:
            if Path(frame.f_code.co_filename) == self.learner_file:
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def watch_connections(self, engine: AsyncEngine) -> None:
        key = id(engine)
        self.open_connections[key] = 0

        def opened(*args: Any) -> None:
            self.open_connections[key] += 1

        def closed(*args: Any) -> None:
            self.open_connections[key] -= 1

        event.listen(engine.sync_engine, "connect", opened)
        event.listen(engine.sync_engine, "close", closed)
        event.listen(engine.sync_engine, "close_detached", closed)


def _wrap(spy: Spy, kind: str, cls: type, monkeypatch: pytest.MonkeyPatch) -> None:
    original: Callable[..., None] = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        line = spy.learner_line()
        if line is None:
            return
        spy.created.append(Created(kind, self, spy.phase, line))
        if kind == "engine":
            spy.watch_connections(self)

    monkeypatch.setattr(cls, "__init__", __init__)


@pytest.fixture
def spy(
    exercise_entry: Entry, fastlings_target: Target, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Spy]:
    found = Spy(exercise_entry.source_path(fastlings_target).resolve())
    for kind, cls in KINDS.items():
        _wrap(found, kind, cls, monkeypatch)
    yield found


@pytest.fixture
def app_module(spy: Spy, module: ModuleType) -> ModuleType:
    """The learner's module, imported while the spy watches; later creations are "running"."""
    spy.phase = "running"
    return module


# -- a real rates service on 127.0.0.1 --------------------------------------------------------
RATES = {"EUR": 0.5, "JPY": 150.0}  # unusual rates: the answer must come from this service


@pytest.fixture
def rates_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[RatesService]:
    """A rates service on a free port; SHOP_RATES_URL points at it before the app is imported."""
    with serve_rates(RATES) as server:
        monkeypatch.setenv("SHOP_RATES_URL", server.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield server


@pytest.fixture
def other_db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh database, of the same kind as the check's own."""
    base = request.config.getoption("--db-url") or os.environ.get("FASTLINGS_DB_URL")
    with databases.fresh_database(str(base) if base else None) as url:
        yield url
