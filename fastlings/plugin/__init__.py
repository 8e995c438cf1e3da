"""The pytest plugin behind `checks/`, in parts, each a small plugin of its own.

Loaded explicitly through `addopts = ["-p", "fastlings.plugin"]` (see pyproject.toml), so a
learner's `pytest checks/<chapter>/<file>` needs no flags. Heavy libraries (SQLAlchemy, httpx)
are imported inside the fixtures that need them, never at plugin import time.

- `options`: `--target`, `--db-server`, `--fastlings-report`, the report header, the heap freeze;
- `code`: the exercise under check (`module`, `exercise_entry`, `lesson`, `teach`);
- `database`: a fresh database per check (`db_url`, `engine`, `sessionmaker`);
- `client`: the app over HTTP (`make_client`, `wire`, `wired`, `sql`);
- `observe`: what the app raised, answered and warned, for `diagnoses` to name the cause;
- `timeouts`: pytest-timeout decides when, this part says where the code was;
- `reporting`: one `fastlings.run.record.CheckResult` per check, for the CLI and grading.
"""

pytest_plugins = [
    "fastlings.plugin.options",
    "fastlings.plugin.code",
    "fastlings.plugin.database",
    "fastlings.plugin.client",
    "fastlings.plugin.observe",
    "fastlings.plugin.timeouts",
    "fastlings.plugin.reporting",
]
