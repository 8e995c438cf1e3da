"""The pytest plugin behind `checks/`, in parts, each a small plugin of its own.

Loaded explicitly through `addopts = ["-p", "fastlings.plugin"]` (see pyproject.toml), so a
learner's `pytest checks/<chapter>/<file>` needs no flags. Heavy libraries (SQLAlchemy, httpx)
are imported inside the fixtures that need them, never at plugin import time.

- `options`: `--target`, `--db-server`, `--fastlings-report`, the report header, the heap freeze;
- `code`: the exercise under check (`module`, `exercise_entry`, `lesson`, `teach`);
- `database`: a fresh database per check (`db_url`, `engine`, `sessionmaker`);
- `client`: the app over HTTP (`make_client`, `wire`, `wired`, `sql`);
- `observe`: what the app raised, answered and warned, for `diagnoses` to name the cause
  (`serving`: the wrapper and the client hook that record it; `observed_app` for checks that
  drive the ASGI app themselves);
- `timeouts`: pytest-timeout decides when, this part says where the code was;
- `reporting`: one `fastlings.run.record.CheckResult` per check, for the CLI and grading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

PARTS = (
    "fastlings.plugin.options",
    "fastlings.plugin.code",
    "fastlings.plugin.database",
    "fastlings.plugin.client",
    "fastlings.plugin.observe",
    "fastlings.plugin.timeouts",
    "fastlings.plugin.reporting",
)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the parts when this plugin is registered, under their module names, in order:
    what `pytest_plugins = PARTS` would do, except that pytest would first look each name up
    among the entry points of every installed package (about 2.5 ms a name, in every pytest
    session; the checks of chapter 9 run two)."""
    for name in PARTS:
        pluginmanager.import_plugin(name)
