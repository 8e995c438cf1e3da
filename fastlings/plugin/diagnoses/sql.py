"""Diagnoses of raw SQL and result handling: bound parameters, expanding lists, rows and scalars.

Each rule reads what SQLAlchemy's `StatementError` carried (the SQL as the driver got it and
its parameters, `Raised.sql` and `Raised.sql_params`) or what FastAPI said about a returned
value, and names the mistake that fact shows.
"""

from __future__ import annotations

import re
from typing import Any

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations, Raised

NO_VALUE = re.compile(r"A value is required for bind parameter '(\w+)'")
# A placeholder as the driver got it (`?`, `$1`, `%s`, `%(name)s`), inside a quoted literal.
QUOTED_PLACEHOLDER = re.compile(r"'[^']*(?:\?|\$\d+|%s|%\(\w+\)s)[^']*'")
BINDING_COUNT = re.compile(
    r"Incorrect number of bindings|expects \d+ arguments?|arguments? (?:were|was) passed"
)
IN_ONE_PLACEHOLDER = re.compile(r"\bIN\s+(?:\?|\$\d+|%s|%\(\w+\)s)", re.I)
IN_DOUBLE_PARENS = re.compile(r"\bIN\s*\(\s*\(", re.I)
ESCAPE_CLAUSE = re.compile(r"\bESCAPE\s+'(?:[^']|'')*'", re.I)
BAD_ESCAPE = re.compile(r"ESCAPE expression must be a single character|invalid escape string", re.I)


def _raised(r: Raised) -> str:
    """What was raised, where, and its message, without the message's own closing period."""
    return f"The app raised {r.type}{_at(r)}: {_said(r)}".rstrip(".")


def _values(params: Any) -> list[Any]:
    """Every parameter value the statement was run with (one dict or tuple, or a list of them)."""
    groups = params if isinstance(params, list) else [params]
    values: list[Any] = []
    for group in groups:
        if isinstance(group, dict):
            values.extend(group.values())
        elif isinstance(group, tuple):
            values.extend(group)
    return values


def _keys(params: Any) -> list[str]:
    groups = params if isinstance(params, list) else [params]
    return sorted({str(k) for group in groups if isinstance(group, dict) for k in group})


def missing_bind_value(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NO_VALUE.search(r.message)
        if match:
            name = match.group(1)
            keys = _keys(r.sql_params)
            got = f"it got {', '.join(f'`{k}`' for k in keys)}" if keys else "it got no values"
            return [
                Diagnosis(
                    "missing_bind_value",
                    f"{_raised(r)}. `text()` reads `:{name}` in the SQL as a bound parameter, "
                    f"and execute() had no value named `{name}` ({got}).",
                    f'pass the value with the statement: `await db.execute(statement, {{"{name}": '
                    "...})`, the key spelled as in the SQL.",
                    "ch13_raw_sql",
                )
            ]
    return []


def quoted_placeholder(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        quoted = QUOTED_PLACEHOLDER.search(r.sql or "")
        if quoted and BINDING_COUNT.search(r.message):
            return [
                Diagnosis(
                    "quoted_placeholder",
                    f"{_raised(r)}. In the SQL it sent, the placeholder is inside quotes "
                    f"({quoted.group(0)}): a quoted placeholder is text to the database, so the "
                    "statement has no parameter for the value it was given.",
                    "write the parameter bare, outside any quotes (`= :name`, `LIKE :pattern`), "
                    "and put the `%` wildcards into the value.",
                    "ch13_raw_sql",
                )
            ]
    return []


def list_not_expanded(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        lists = [v for v in _values(r.sql_params) if isinstance(v, list | tuple | set)]
        placeholder = IN_ONE_PLACEHOLDER.search(r.sql or "")
        if lists and (placeholder or "type 'list' is not supported" in r.message):
            shown = repr(lists[0])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            where = f" (`{placeholder.group(0)}`)" if placeholder else ""
            return [
                Diagnosis(
                    "list_not_expanded",
                    f"{_raised(r)}. A list, {shown}, was bound to one placeholder{where}: a bound "
                    "parameter stands for one value, so the database cannot read a list there.",
                    '`text("... IN :names").bindparams(bindparam("names", expanding=True))` '
                    "renders one placeholder per item when it runs (or "
                    "`Model.column.in_(values)`).",
                    "ch13_raw_sql",
                )
            ]
    return []


def expanding_in_parentheses(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        found = IN_DOUBLE_PARENS.search(r.sql or "")
        if found and r.sql_params is not None:
            return [
                Diagnosis(
                    "expanding_in_parentheses",
                    f"{_raised(r)}. The SQL it sent reads `{found.group(0)}...`: an expanding "
                    "parameter renders its own parentheses, so `IN (:names)` became a list "
                    "inside a list.",
                    "write `IN :names`, without parentheses, with "
                    '`bindparam("names", expanding=True)`.',
                    "ch13_raw_sql",
                )
            ]
    return []


def escape_clause(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        clause = ESCAPE_CLAUSE.search(r.sql or "")
        if clause and BAD_ESCAPE.search(r.message):
            return [
                Diagnosis(
                    "escape_clause",
                    f"{_raised(r)}. The SQL it sent says `{clause.group(0)}`, which is not one "
                    "character. Probably a `\\'` in the Python string: there the backslash "
                    "escapes the quote and never reaches the SQL.",
                    "`ESCAPE '\\\\'` in the Python source (or a raw string), or an escape "
                    "character that Python leaves alone: `ESCAPE '#'`.",
                    "ch13_raw_sql",
                )
            ]
    return []


PLAIN_VALUE = re.compile(
    r"^'(int|str|float|bool|bytes|Decimal|datetime|date|UUID)' object has no attribute '(\w+)'"
)


def _reads_a_loop_row(line: str, attribute: str) -> bool:
    """`line` reads `.attribute` from the variable of a `for` loop over it, or from `row`."""
    looped = set(re.findall(r"\bfor\s+(\w+)\s+in\b", line)) | {"row"}
    return any(re.search(rf"\b{name}\.{attribute}\b", line) for name in looped)


def plain_value_for_row(obs: Observations) -> list[Diagnosis]:
    """A loop over a result read a column from a plain value: the rows were scalars."""
    for r in obs.raised:
        match = PLAIN_VALUE.search(r.message)
        if r.type == "AttributeError" and match and _reads_a_loop_row(r.line or "", match[2]):
            kind, attribute = match.groups()
            return [
                Diagnosis(
                    "plain_value_for_row",
                    f"{_raised(r)}. The code read `.{attribute}` from a plain {kind}, where it "
                    "expected a row: probably the result came from `scalars()` (or `scalar()`), "
                    "which keeps only the first column of each row.",
                    "`execute()` returns rows whose columns are attributes (`row.id`, "
                    "`row.name`); `scalars()` is for one column, or an ORM entity "
                    "(`select(User)`).",
                    "ch13_raw_sql",
                )
            ]
    return []


def rows_for_entities(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        rows = [e for e in r.errors if e.get("input_type") == "Row"]
        if r.type == "ResponseValidationError" and rows:
            return [
                Diagnosis(
                    "rows_for_entities",
                    "FastAPI got SQLAlchemy `Row` objects to fill the response model: "
                    "`execute(select(Model))` returns rows, each a tuple that holds the object, "
                    "so the model's fields are not found on them and the app answered 500.",
                    "`(await db.scalars(select(Model))).all()` (or `result.scalars().all()`) "
                    "returns the objects themselves.",
                    "ch03_response_models",
                )
            ]
    return []


def coroutine_bound(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if "'coroutine'" in r.message and r.sql is not None:
            return [
                Diagnosis(
                    "coroutine_bound",
                    f"{_raised(r)}. A coroutine object was sent to the database as a column "
                    "value: an async function (`run_in_threadpool(...)`, say) was called "
                    "without `await`, and its coroutine was stored instead of its result.",
                    "`await` the call whose result you store: `value = await "
                    "run_in_threadpool(function, arg)`.",
                    "ch05_async_sessions",
                )
            ]
    return []


def parameters_not_a_dict(obs: Observations) -> list[Diagnosis]:
    """`db.execute(statement, values)` with a list of plain values as the parameters."""
    for r in obs.raised:
        if r.type == "ArgumentError" and "List argument must consist only of dictionaries" in (
            r.message
        ):
            return [
                Diagnosis(
                    "parameters_not_a_dict",
                    f"{_raised(r)}: execute() was given a list of plain values as its parameters, "
                    "and SQLAlchemy reads a list there as one dictionary of parameters per run "
                    "of the statement.",
                    "pass one dictionary keyed by the names in the SQL, the list as one value: "
                    '`await db.execute(statement, {"names": values})`.',
                    "ch13_raw_sql",
                )
            ]
    return []


SQLITE_NOT_NULL = re.compile(r"NOT NULL constraint failed: (\w+)\.(id)\b")
INSERT_COLUMNS = re.compile(r"^\s*INSERT INTO \S+ \(([^)]*)\)", re.I)


def sqlite_key_not_numbered(obs: Observations) -> list[Diagnosis]:
    """SQLite left `id` NULL on an INSERT that omitted it: the key is no INTEGER PRIMARY KEY."""
    for r in obs.raised:
        match = SQLITE_NOT_NULL.search(r.message)
        columns = INSERT_COLUMNS.match(r.sql or "")
        if r.type != "IntegrityError" or not match or not columns:
            continue
        table, column = match.groups()
        if column in {c.strip().strip('"') for c in columns.group(1).split(",")}:
            continue
        return [
            Diagnosis(
                "sqlite_key_not_numbered",
                f"{_raised(r)}. The INSERT gave no value for `{column}` (it sent: "
                f"{r.sql.strip() if r.sql else ''}), so SQLite had to number the row itself, "
                "and it does that only for a column declared exactly `INTEGER PRIMARY KEY`: "
                f"`{table}.{column}`, by its name the table's key, is declared with another "
                "type (a `BigInteger` key is BIGINT) or with other key columns.",
                "give the key the Integer type (`id: Mapped[int] = mapped_column("
                "primary_key=True)` picks it); for a BIGINT key on PostgreSQL, "
                '`BigInteger().with_variant(Integer, "sqlite")`.',
                "ch04_typed_models",
            )
        ]
    return []
