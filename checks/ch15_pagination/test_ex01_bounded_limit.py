"""Checks for chapter 15, exercise 1: limit and offset have bounds, enforced and published."""

from typing import Any

from checks.ch15_pagination._products import body_of, product_rows, seed, shown
from fastlings.testing import StatementLog, Teach, WiredApp, find_operation

ROWS = 130
BOUNDS = "`limit: Annotated[int, Query(ge=1, le=100)] = 20`, `offset: Annotated[int, Query(ge=0)]`"


def mentions(body: Any, name: str) -> bool:
    """A FastAPI 422 body whose errors point at the query parameter `name`."""
    details = body.get("detail") if isinstance(body, dict) else None
    return isinstance(details, list) and any(
        isinstance(d, dict) and name in [str(part) for part in d.get("loc", [])] for d in details
    )


async def test_pages_within_bounds_still_work(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, product_rows(ROWS))
    path = wired.path("get", "/products")
    cases: list[tuple[dict[str, int], int]] = [
        ({"limit": 100}, 100),
        ({"limit": 1}, 1),
        ({"limit": 5, "offset": ROWS - 1}, 1),
        ({"limit": 5, "offset": 0}, 5),
    ]
    for params, count in cases:
        response = await wired.client.get(path, params=params)
        body = body_of(response)
        items = body.get("items") if isinstance(body, dict) else None
        assert response.status_code == 200 and isinstance(items, list) and len(items) == count, (
            teach(
                f"GET {path} with {params} ({ROWS} products) answered {response.status_code}: "
                f"{shown(body)}",
                f"200 with {count} item(s): values inside the bounds keep working",
            )
        )
    response = await wired.client.get(path)
    body = body_of(response)
    items = body.get("items") if isinstance(body, dict) else None
    assert response.status_code == 200 and isinstance(items, list) and 1 <= len(items) <= 100, (
        teach(
            f"GET {path} without parameters answered {response.status_code}: {shown(body)}",
            "200 with a default page size between 1 and 100",
        )
    )


async def test_limit_outside_1_to_100_gets_422(
    wired: WiredApp, sql: StatementLog, teach: Teach
) -> None:
    await seed(wired, sql, product_rows(ROWS))
    path = wired.path("get", "/products")
    for limit in (101, 1_000_000, 0, -5):
        response = await wired.client.get(path, params={"limit": limit})
        body = body_of(response)
        assert response.status_code == 422 and mentions(body, "limit"), teach(
            f"GET {path}?limit={limit} answered {response.status_code}: {shown(body)}",
            "422 naming `limit`: this course refuses a size outside 1..100 rather than "
            f"quietly clamping it, so the client learns its mistake. Declare it: {BOUNDS}",
        )


async def test_negative_offset_gets_422(wired: WiredApp, sql: StatementLog, teach: Teach) -> None:
    await seed(wired, sql, product_rows(10))
    path = wired.path("get", "/products")
    response = await wired.client.get(path, params={"offset": -1})
    body = body_of(response)
    assert response.status_code == 422 and mentions(body, "offset"), teach(
        f"GET {path}?offset=-1 answered {response.status_code}: {shown(body)} (SQLite "
        "reads a negative OFFSET as 0; PostgreSQL fails with 'OFFSET must not be negative')",
        f"422 naming `offset`: {BOUNDS}",
    )


def bound(schema: dict[str, Any], side: str) -> int | None:
    """The inclusive integer bound of a parameter schema ('minimum' or 'maximum')."""
    for option in [schema, *schema.get("anyOf", []), *schema.get("allOf", [])]:
        if side in option:
            return int(option[side])
        exclusive = "exclusiveMinimum" if side == "minimum" else "exclusiveMaximum"
        if exclusive in option:
            return int(option[exclusive]) + (1 if side == "minimum" else -1)
    return None


async def test_bounds_are_published_in_openapi(wired: WiredApp, teach: Teach) -> None:
    found = find_operation(wired.app.openapi(), "get", "/products")
    assert found is not None, teach(
        "The OpenAPI document has no GET /products.", "the listing endpoint, as in the starter"
    )
    path, operation = found
    params = {p.get("name"): p.get("schema", {}) for p in operation.get("parameters", [])}
    observed = {
        name: (bound(params.get(name, {}), "minimum"), bound(params.get(name, {}), "maximum"))
        for name in ("limit", "offset")
    }
    assert observed["limit"] == (1, 100) and observed["offset"][0] == 0, teach(
        f"The OpenAPI document of GET {path} gives limit the bounds (min, max) "
        f"{observed['limit']} and offset {observed['offset']} (None: not declared).",
        "limit 1 to 100 and offset from 0, declared on the parameters so that clients and "
        f"the docs page can see them: {BOUNDS}",
    )
