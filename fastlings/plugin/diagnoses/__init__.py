"""A library of diagnoses: each one maps an observed cause to a short teaching text.

`raised.py` reads what the app raised or warned and `answers.py` what it answered; the other
modules each hold the diagnoses of one kind of mistake (`awaiting`, `middleware`, `streams`,
`sessions`, `schema`, `endpoints`, `lifespan`, `jobs`, `pools`, `sql`, `calls`, `auth`,
`parameters`, `values`, `methods`, `imports`). `base.py` holds the record of a diagnosis; here
they are put in order and rendered.

A diagnosis only ever states what `fastlings/plugin/observe.py` saw happen (an exception and
the learner's line, a warning, a 404 and the app's routes, FastAPI's 422 detail, a response
body); it never guesses. Each is tested with a small app that triggers it
(`tests/test_diagnoses.py`).
"""

from __future__ import annotations

from pathlib import Path

from fastlings.plugin.diagnoses.answers import (
    db_text_leak,
    extra_forbidden,
    not_found,
    query_not_body,
    request_refused,
    router_not_included,
    settings_from_body,
    untyped_parameter,
)
from fastlings.plugin.diagnoses.auth import token_error_escaped, unknown_hash
from fastlings.plugin.diagnoses.awaiting import AWAITING_RULES
from fastlings.plugin.diagnoses.base import HEADING, Diagnosis, Rule
from fastlings.plugin.diagnoses.calls import coroutine_attribute
from fastlings.plugin.diagnoses.endpoints import (
    dependency_parameter,
    endpoint_not_found,
    not_in_path,
    returned_exception,
)
from fastlings.plugin.diagnoses.imports import driver_exception, undefined_name
from fastlings.plugin.diagnoses.jobs import depends_as_value
from fastlings.plugin.diagnoses.lifespan import (
    closed_client,
    coroutine_reused,
    field_on_class,
    state_on_request,
)
from fastlings.plugin.diagnoses.methods import method_not_allowed
from fastlings.plugin.diagnoses.middleware import (
    MIDDLEWARE_RULES,
    cors_preflight,
    header_not_str,
    middleware_not_built,
    middleware_returned_none,
)
from fastlings.plugin.diagnoses.parameters import get_reads_body, untyped_dependency_parameter
from fastlings.plugin.diagnoses.pools import pool_wait_too_short
from fastlings.plugin.diagnoses.raised import (
    coroutine_as_value,
    different_loop,
    missing_greenlet,
    pool_timeout,
    response_validation,
    state_not_set,
    text_for_datetime,
    unawaited,
    unhandled,
)
from fastlings.plugin.diagnoses.schema import missing_schema
from fastlings.plugin.diagnoses.sessions import (
    after_response,
    already_begun,
    factory_as_session,
    not_persistent,
    other_database,
    pending_rollback,
    session_not_entered,
    sync_engine,
)
from fastlings.plugin.diagnoses.sql import (
    coroutine_bound,
    escape_clause,
    expanding_in_parentheses,
    list_not_expanded,
    missing_bind_value,
    parameters_not_a_dict,
    plain_value_for_row,
    quoted_placeholder,
    rows_for_entities,
    sqlite_key_not_numbered,
)
from fastlings.plugin.diagnoses.streams import (
    awaited_async_generator,
    function_not_called,
    generator_as_content,
    generator_as_json,
)
from fastlings.plugin.diagnoses.values import (
    coroutine_origin,
    from_attributes_missing,
    no_row_found,
    result_as_value,
    returned_none,
    validator_hidden,
    validator_type_error,
)
from fastlings.plugin.observe import Observations

__all__ = ["HEADING", "Diagnosis", "Rule", "diagnose", "render"]

RULES: tuple[Rule, ...] = (
    unawaited,
    missing_greenlet,
    returned_exception,
    rows_for_entities,
    result_as_value,
    returned_none,
    response_validation,
    from_attributes_missing,
    no_row_found,
    validator_type_error,
    router_not_included,
    endpoint_not_found,
    not_in_path,
    dependency_parameter,
    untyped_parameter,
    untyped_dependency_parameter,
    settings_from_body,
    coroutine_as_value,
    *AWAITING_RULES,
    coroutine_origin,
    query_not_body,
    get_reads_body,
    extra_forbidden,
    db_text_leak,
    different_loop,
    pool_wait_too_short,
    pool_timeout,
    cors_preflight,
    method_not_allowed,
    *MIDDLEWARE_RULES,
    text_for_datetime,
    state_not_set,
    other_database,
    missing_schema,
    sync_engine,
    factory_as_session,
    session_not_entered,
    already_begun,
    not_persistent,
    after_response,
    pending_rollback,
    state_on_request,
    closed_client,
    coroutine_reused,
    field_on_class,
    depends_as_value,
    missing_bind_value,
    parameters_not_a_dict,
    quoted_placeholder,
    list_not_expanded,
    expanding_in_parentheses,
    escape_clause,
    plain_value_for_row,
    coroutine_attribute,
    coroutine_bound,
    token_error_escaped,
    unknown_hash,
    validator_hidden,
    generator_as_json,
    function_not_called,
    awaited_async_generator,
    generator_as_content,
    sqlite_key_not_numbered,
    undefined_name,
    driver_exception,
)

EXPLAINS_RAISE: frozenset[Rule] = frozenset(
    {
        coroutine_as_value,
        state_not_set,
        state_on_request,
        closed_client,
        coroutine_reused,
        field_on_class,
        depends_as_value,
        *AWAITING_RULES,
        coroutine_attribute,
        middleware_not_built,
        middleware_returned_none,
        header_not_str,
        generator_as_json,
        function_not_called,
    }
)
"""Rules that name what the app raised: when one of them spoke, the generic `unhandled` line
is left out."""

SUPERSEDES = {
    "returned_exception": ("response_validation",),
    "not_in_path": ("query_not_body",),
    "dependency_parameter": ("query_not_body",),
    "endpoint_not_found": ("no_route",),
    "other_database": ("unhandled", "missing_schema"),
    **{
        name: ("unhandled",)
        for name in (
            "missing_schema",
            "sync_engine",
            "factory_as_session",
            "already_begun",
            "not_persistent",
            "after_response",
            "pending_rollback",
        )
    },
}
"""A sharper diagnosis, and the more general ones it makes redundant on the same screen."""


def diagnose(obs: Observations) -> list[Diagnosis]:
    """Every rule once, in order; then the general lines that no sharper one made redundant."""
    found: list[Diagnosis] = []
    spoke: set[Rule] = set()
    for rule in RULES:
        said = rule(obs)
        if said:
            spoke.add(rule)
            found.extend(said)
    if not spoke & EXPLAINS_RAISE:
        found.extend(unhandled(obs))
    if not any(d.name == "router_not_included" for d in found):
        found.extend(not_found(obs))
    sharper = (
        "query_not_body",
        "extra_forbidden",
        "untyped_parameter",
        "untyped_dependency_parameter",
        "settings_from_body",
        "model_not_form",
        "not_in_path",
        "dependency_parameter",
    )
    if any(d.name == "untyped_parameter" for d in found):
        found = [d for d in found if d.name != "query_not_body"]
    dropped = {gone for d in found for gone in SUPERSEDES.get(d.name, ())}
    found = [d for d in found if d.name not in dropped]
    if not any(d.name in sharper for d in found):
        found.extend(request_refused(obs))
    seen: set[str] = set()
    unique = []
    for diagnosis in _explained_once(found):
        if diagnosis.cause not in seen:
            seen.add(diagnosis.cause)
            unique.append(diagnosis)
    return unique[:3]


def _explained_once(found: list[Diagnosis]) -> list[Diagnosis]:
    """Without the generic `unhandled` line for an exception that a sharper rule explains (both
    begin "The app raised <type> at <file:line>")."""

    def raised_at(d: Diagnosis) -> str | None:
        return d.cause.split(": ", 1)[0] if d.cause.startswith("The app raised ") else None

    explained = {raised_at(d) for d in found if d.name != "unhandled"} - {None}
    return [d for d in found if d.name != "unhandled" or raised_at(d) not in explained]


def render(diagnoses: list[Diagnosis], root: Path | None = None) -> str:
    """The block appended to a failure message (empty when nothing was diagnosed)."""
    if not diagnoses:
        return ""
    lines = [HEADING]
    for d in diagnoses:
        see = ""
        if d.chapter and root is not None and (root / "lessons" / f"{d.chapter}.md").is_file():
            see = f" (see lessons/{d.chapter}.md)"
        lines.append(f"- {d.cause}\n  Instead: {d.advice}{see}")
    return "\n".join(lines)
