"""Checks for chapter 6, exercise 1: 404 with a detail for a missing user, 422 for a bad id."""

from collections.abc import AsyncIterator
from types import ModuleType

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch06_http_errors._http import detail_of, let_through
from fastlings.testing import ClientFactory, Teach, body_of, create_schema

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}


@pytest.fixture
async def ada_id(module: ModuleType, engine: AsyncEngine) -> int:
    """One stored user, written through the check's own connection; returns its id."""
    await create_schema(engine, module.Base.metadata)
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO users (email, name) VALUES (:email, :name)"), ADA)
        found = await conn.scalar(text("SELECT id FROM users WHERE email = :email"), ADA)
    assert isinstance(found, int)
    return found


@pytest.fixture
async def client(
    module: ModuleType, ada_id: int, make_client: ClientFactory
) -> AsyncIterator[AsyncClient]:
    async with make_client(module.app) as http:
        yield http


async def test_existing_user_is_returned(client: AsyncClient, ada_id: int, teach: Teach) -> None:
    response = await client.get(f"/users/{ada_id}")
    body = body_of(response)
    assert response.status_code == 200 and isinstance(body, dict), teach(
        f"GET /users/{ada_id} for a stored user answered {response.status_code} {body!r}.",
        "200 with the user: only the missing case changes in this exercise",
    )
    assert (body.get("id"), body.get("email")) == (ada_id, ADA["email"]), teach(
        f"GET /users/{ada_id} answered {body!r}.", f"the stored user, id {ada_id}, {ADA}"
    )


async def test_missing_user_gets_404_with_detail(
    client: AsyncClient, ada_id: int, teach: Teach
) -> None:
    missing = ada_id + 1000
    response = await client.get(f"/users/{missing}")
    body = body_of(response)
    assert response.status_code == 404, teach(
        f"GET /users/{missing} (no such user) answered {response.status_code} {body!r}.",
        "404 from raise HTTPException(status_code=404, detail=...): a 500 tells the client the "
        "server broke, a 200 with null tells it nothing went wrong",
    )
    detail = detail_of(body)
    assert detail is not None, teach(
        f"GET /users/{missing} answered 404 with the body {body!r}.",
        'a JSON body {"detail": "<non-empty text>"}, which HTTPException(404, detail=...) '
        "produces; a hand-made response with another shape breaks clients that read `detail`",
    )
    no_route = await client.get("/no-such-route/at-all")
    assert body != body_of(no_route), teach(
        f"GET /users/{missing} answered 404 {body!r}, the very same body as a URL that has no "
        "route at all, so a client cannot tell 'no such user' from 'wrong URL'.",
        'a detail that says what is missing, e.g. HTTPException(404, detail="User not found") '
        '(any wording; only the bare default "Not Found" is ambiguous)',
    )


async def test_non_integer_id_gets_422(
    module: ModuleType, client: AsyncClient, teach: Teach
) -> None:
    for raw in ("abc", "1.5"):
        response = await client.get(f"/users/{raw}")
        assert response.status_code == 422, teach(
            f"GET /users/{raw} answered {response.status_code} {body_of(response)!r}."
            + let_through(module.app, "user_id", raw, response.status_code),
            "422 from FastAPI's own validation: annotate the path parameter `user_id: int` and "
            "the endpoint never sees a value that is not an integer",
        )
