"""The request and read-back helpers of `fastlings.testing`, on a small app and database."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from fastlings.testing import (
    WiredApp,
    body_of,
    fetch_rows,
    success_schema,
    unexpected_answers,
)


class Note(BaseModel):
    title: str


def notes_app() -> FastAPI:
    app = FastAPI()

    @app.post("/notes/", status_code=201, response_model=Note)
    async def create(note: Note) -> Note:
        return note

    @app.get("/notes/{note_id}")
    async def read(note_id: int) -> dict[str, Any]:
        return {"id": note_id}

    return app


async def wired_notes(tmp_path: Path) -> WiredApp:
    app = notes_app()
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
    return WiredApp(ModuleType("notes"), app, client, engine, async_sessionmaker(engine))


async def test_send_uses_the_declared_path(tmp_path: Path) -> None:
    wired = await wired_notes(tmp_path)
    async with wired.client:
        path, response = await wired.send("post", "/notes", json={"title": "a \\ b"})
    await wired.engine.dispose()
    assert (path, response.status_code, response.json()) == ("/notes/", 201, {"title": "a \\ b"})


async def test_unexpected_answers_keeps_only_the_misanswered_cases(tmp_path: Path) -> None:
    wired = await wired_notes(tmp_path)
    cases = [({}, "no title"), ({"title": "ok"}, "a title"), ([], "a list")]
    async with wired.client:
        wrong = await unexpected_answers(wired, "post", "/notes/", cases, 422)
    await wired.engine.dispose()
    assert [(body, what, r.status_code) for body, what, r in wrong] == [
        ({"title": "ok"}, "a title", 201)
    ]


async def test_fetch_rows_reads_plain_tuples(tmp_path: Path) -> None:
    wired = await wired_notes(tmp_path)
    async with wired.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)"))
        await conn.execute(text("INSERT INTO notes VALUES (300, 'x'), (301, 'y')"))
    rows = await fetch_rows(wired.engine, "SELECT id, title FROM notes WHERE id > :i", {"i": 300})
    await wired.engine.dispose()
    await wired.client.aclose()
    assert rows == [(301, "y")]


def test_success_schema_prefers_201_and_is_empty_without_one() -> None:
    openapi = notes_app().openapi()
    create = openapi["paths"]["/notes/"]["post"]
    read = openapi["paths"]["/notes/{note_id}"]["get"]
    assert success_schema(create) == {"$ref": "#/components/schemas/Note"}
    assert success_schema(read) != {} and success_schema(None) == {}
    assert success_schema({"responses": {"422": {}}}) == {}


def test_body_of_is_the_json_or_the_text() -> None:
    assert body_of(Response(200, json={"a": [1]})) == {"a": [1]}
    assert body_of(Response(500, text="Internal Server Error")) == "Internal Server Error"


def test_serve_rates_answers_known_currencies_and_counts_calls() -> None:
    import httpx

    from fastlings.check_services import serve_rates

    with serve_rates({"EUR": 0.5}) as service:
        with httpx.Client(base_url=service.url, trust_env=False) as client:
            known = client.get("/rates/EUR")
            unknown = client.get("/rates/XYZ")
            elsewhere = client.get("/other/EUR")
        assert known.status_code == 200
        assert known.json() == {"currency": "EUR", "rate": 0.5}
        assert (unknown.status_code, elsewhere.status_code) == (404, 404)
        assert service.calls == 3


def test_first_error_reads_a_validation_error_and_nothing_else() -> None:
    from pydantic import ValidationError

    from fastlings.testing import first_error

    try:
        Note.model_validate({})
    except ValidationError as exc:
        error = first_error(exc)
    assert error is not None
    assert (error["loc"], error["type"]) == (("title",), "missing")
    assert first_error(ValueError("plain")) is None


def test_listening_registers_for_the_block_only() -> None:
    from sqlalchemy import Engine, create_engine, event

    from fastlings.testing import listening

    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = create_engine("sqlite://")
    with listening((Engine, "before_cursor_execute", record)), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert seen == ["SELECT 1"]
    assert not event.contains(Engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        conn.execute(text("SELECT 2"))
    assert seen == ["SELECT 1"]
    engine.dispose()
