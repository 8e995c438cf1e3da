"""Reading an app's OpenAPI document in checks: operations, `$ref`s, JSON schemas.

Part of the public check API: `fastlings.testing` re-exports every name here.
"""

from __future__ import annotations

from typing import Any


def resolve_ref(
    openapi: dict[str, Any], schema: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """Follow a `$ref` (also inside `allOf`/`anyOf` wrappers) to its component."""
    for wrapper in ("allOf", "anyOf", "oneOf"):
        if wrapper in schema and len(schema[wrapper]) >= 1:
            for option in schema[wrapper]:
                name, found = resolve_ref(openapi, option)
                if name:
                    return name, found
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, openapi.get("components", {}).get("schemas", {}).get(name, {})


def json_schema_of(responses_or_body: dict[str, Any]) -> dict[str, Any]:
    """The application/json schema of an OpenAPI response or request body ({} when none)."""
    content = responses_or_body.get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return schema if isinstance(schema, dict) else {}


def find_operation(
    openapi: dict[str, Any], method: str, prefix: str
) -> tuple[str, dict[str, Any]] | None:
    """The first path equal to `prefix` or `prefix/` that has `method`."""
    for path in (prefix, prefix + "/"):
        operation = openapi.get("paths", {}).get(path, {}).get(method.lower())
        if operation is not None:
            return path, operation
    return None


def success_schema(operation: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON schema of an operation's 201 (else 200) response ({} when it declares none)."""
    responses = (operation or {}).get("responses", {})
    return json_schema_of(next((responses[c] for c in ("201", "200") if c in responses), {}))
