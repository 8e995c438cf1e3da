"""Tests of the chapter 1 worked example: the books API behaves as the lesson says."""

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
from httpx import ASGITransport, AsyncClient


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'books.db'}")
    import lessons.examples.ch01_endpoint_structure.books as module

    return importlib.reload(module)  # the engine reads DATABASE_URL at import


@pytest.fixture
async def client(books: ModuleType) -> AsyncIterator[AsyncClient]:
    app = books.app
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


async def test_add_book_answers_201_with_the_response_model(client: AsyncClient) -> None:
    response = await client.post("/books", json={"title": "Dune", "author": "Frank Herbert"})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "title": "Dune", "author": "Frank Herbert"}


@pytest.mark.parametrize("body", [{"title": "Dune"}, {}, {"title": "Dune", "author": 7}, ["Dune"]])
async def test_invalid_body_gets_422(client: AsyncClient, body: object) -> None:
    response = await client.post("/books", json=body)
    assert response.status_code == 422
    assert (await client.get("/books")).json() == []


async def test_engine_reads_database_url(books: ModuleType, tmp_path: Path) -> None:
    assert books.engine.url.database == str(tmp_path / "books.db")


async def test_session_is_closed_after_the_request(books: ModuleType, client: AsyncClient) -> None:
    await client.get("/books")
    assert books.engine.pool.checkedout() == 0


async def test_openapi_groups_books_on_the_router(books: ModuleType) -> None:
    operation = books.app.openapi()["paths"]["/books"]["post"]
    assert operation["tags"] == ["books"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NewBook"}
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/BookOut"}
