"""A diagnosis of a statement that names a table or column the database does not have.

The database said so itself: SQLite's "no such table: t", "no such column: t.c" and "table t
has no column named c"; PostgreSQL's UndefinedTableError (`relation "t" does not exist`) and
UndefinedColumnError (`column t.c does not exist`, `column "c" of relation "t" does not
exist`). What the check saw is that the models and the schema disagree; which of the two is
wrong, it cannot see, so the advice names both places to look.
"""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations

MISSING = (
    re.compile(r"no such table: (?P<table>[\w.]+)"),
    re.compile(r"no such column: (?P<column>[\w.]+)"),
    re.compile(r"table (?P<table>\w+) has no column named (?P<column>\w+)"),
    re.compile(r'column "(?P<column>\w+)" of relation "(?P<table>\w+)" does not exist'),
    re.compile(r'column (?P<column>[\w.]+|"\w+") does not exist'),
    re.compile(r'relation "(?P<table>\w+)" does not exist'),
)


def _named(match: re.Match[str]) -> str:
    found = match.groupdict()
    column, table = found.get("column"), found.get("table")
    if column is None:
        return f"the table `{table}`"
    column = column.strip('"')
    return f"the column `{table}.{column}`" if table else f"the column `{column}`"


def missing_schema(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        for pattern in MISSING:
            match = pattern.search(r.message)
            if match is None:
                continue
            return [
                Diagnosis(
                    "missing_schema",
                    f"The app raised {r.type}{_at(r)}: {_said(r, 200)}. The SQL it sent (built "
                    f"from its models) names {_named(match)}, and the database the app was "
                    "given has no such thing, so FastAPI answered 500.",
                    "the models and the database's schema agree: with migrations, the schema is "
                    "what `alembic upgrade head` made (a revision creates, or renames to, every "
                    "table and column the models map; `alembic check` lists what differs); "
                    "without them, the tables are created before the first request.",
                    "ch19_migrations",
                )
            ]
    return []
