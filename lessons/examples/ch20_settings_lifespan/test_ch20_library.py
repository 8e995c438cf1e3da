"""Tests of the chapter 20 worked example: overrides, start-up settings, closed resources."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from httpx import ASGITransport, AsyncClient

from lessons.examples.ch20_settings_lifespan import library


def fake_catalog(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/isbn/9780000000002":
        return httpx.Response(200, json={"title": "A \\ Backslash Book"})
    return httpx.Response(404)


@pytest.fixture(autouse=True)
def fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'library.db'}")
    library.get_settings.cache_clear()  # the next call reads the environment set above
    yield
    library.get_settings.cache_clear()
    library.app.dependency_overrides.clear()


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    catalog = httpx.AsyncClient(transport=httpx.MockTransport(fake_catalog), base_url="http://c")
    library.app.dependency_overrides[library.get_catalog] = lambda: catalog
    transport = ASGITransport(app=library.app)
    async with (
        library.app.router.lifespan_context(library.app),
        AsyncClient(transport=transport, base_url="http://test") as http,
        catalog,
    ):
        yield http


async def test_adds_a_book_from_the_catalogue(client: AsyncClient) -> None:
    response = await client.post("/books/9780000000002")
    assert response.status_code == 201
    assert response.json()["title"] == "A \\ Backslash Book"
    assert (await client.post("/books/9789999999999")).status_code == 404


async def test_settings_override_makes_it_read_only(client: AsyncClient) -> None:
    overridden = library.LibrarySettings(read_only=True)
    library.app.dependency_overrides[library.get_settings] = lambda: overridden
    assert (await client.post("/books/9780000000002")).status_code == 503


async def test_environment_read_after_cache_clear(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIBRARY_READ_ONLY", "true")
    library.get_settings.cache_clear()
    assert (await client.post("/books/9780000000002")).status_code == 503


async def test_lifespan_closes_what_it_opened(tmp_path: Path) -> None:
    async with library.app.router.lifespan_context(library.app):
        catalog = library.app.state.catalog
        engine = library.app.state.books_sessions.kw["bind"]
        async with engine.connect():
            pass
        assert not catalog.is_closed
        assert engine.pool.checkedin() == 1  # the pool keeps the connection open
    assert catalog.is_closed
    assert engine.pool.checkedin() == 0  # disposed: the pool was emptied and replaced
