"""Each diagnosis, triggered by a small app, as the learner sees it on `fastlings check`.

Every case replaces the fixture course's starter with an app that makes one real mistake and
its checks with one check that calls the app, then asserts the diagnosis on the first screen.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

STARTER = Path("exercises/ch01_ping/ex01_ping.py")
CHECKS = Path("checks/ch01_ping/test_ex01_ping.py")

CHECK = """
from types import ModuleType

from fastlings.testing import ClientFactory, Teach


async def test_ping_answers_pong(module: ModuleType, make_client: ClientFactory, teach: Teach):
    async with make_client(module.app) as client:
        response = await client.request({request})
    assert response.status_code == 200, teach(
        f"{{response.request.method}} /ping answered {{response.status_code}}.", "200"
    )
"""
GET = '"GET", "/ping"'
POST = '"POST", "/ping", json={"name": "ada", "admin": True}'
PREFLIGHT = (
    '"OPTIONS", "/ping", headers={"Origin": "https://app.example.com", '
    '"Access-Control-Request-Method": "POST"}'
)
HEAD = "from fastapi import APIRouter, FastAPI, HTTPException\n\napp = FastAPI()\n"
SQL = (
    HEAD + "from sqlalchemy import bindparam, text\nfrom sqlalchemy.ext.asyncio import "
    "create_async_engine\n\nengine = create_async_engine('sqlite+aiosqlite://')\n\n"
)


def run_sql(statement: str, values: str = "{}", then: str = "") -> str:
    """An app whose GET /ping runs `statement` with `values` on an in-memory SQLite."""
    return (
        SQL + "@app.get('/ping')\nasync def ping():\n    async with engine.connect() as conn:\n"
        f"        result = await conn.execute({statement}, {values})\n{then}"
        "    return {}\n"
    )


CASES = {
    "unawaited": (
        GET,
        HEAD + "async def save() -> None: ...\n\n@app.get('/ping')\nasync def ping():\n"
        "    save()  # TODO:\n    raise RuntimeError('not saved')\n",
        ["`save` was called without `await`", "`await save()`"],
    ),
    "missing_greenlet": (
        GET,
        HEAD + "from sqlalchemy.exc import MissingGreenlet\n\n@app.get('/ping')\n"
        "async def ping():\n    raise MissingGreenlet('greenlet_spawn has not been called')\n",
        [
            "The app raised MissingGreenlet at exercises/ch01_ping/ex01_ping.py:8",
            "probably an attribute expired by `commit()`",
            "selectinload",
        ],
    ),
    "response_validation": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    pong: bool\n\n"
        "@app.get('/ping', response_model=Pong)\nasync def ping():\n    return {'pong': 'maybe'}\n",
        ["could not fit the route's return value into its response model", "`pong`", "(got str)"],
    ),
    "missing_greenlet_in_response": (
        GET,
        HEAD + "from pydantic import BaseModel\nfrom sqlalchemy.exc import MissingGreenlet\n\n"
        "class Pong(BaseModel):\n    id: int\n\nclass Row:\n    @property\n    def id(self):\n"
        "        raise MissingGreenlet('greenlet_spawn has not been called\\n[SQL: SELECT pongs.id "
        "FROM pongs WHERE pongs.id = ?]')\n\n"
        "@app.get('/ping', response_model=Pong)\nasync def ping():\n    return Row()\n",
        [
            "FastAPI read `id` from the returned Row to fill the response model",
            "(MissingGreenlet) (it tried: SELECT pongs.id FROM pongs WHERE pongs.id = ?)",
            "Probably a commit (or a rollback) expired the object's attributes",
            "`expire_on_commit=False`",
        ],
    ),
    "coroutine_origin": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    pong: bool\n\n"
        "async def load() -> Pong:\n    return Pong(pong=True)\n\n"
        "@app.get('/ping', response_model=Pong)\nasync def ping():\n    pong = load()\n"
        "    return pong\n",
        [
            "The coroutine object came from `load`, probably at "
            "exercises/ch01_ping/ex01_ping.py:14: `pong = load()`",
            "`await load()`",
        ],
    ),
    "coroutine_origin_in_model": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Page(BaseModel):\n    total: int\n\n"
        "async def count() -> int:\n    return 1\n\n@app.get('/ping')\nasync def ping():\n"
        "    total = count()\n    return Page(total=total)\n",
        [
            "Pydantic was given a coroutine object for `total`",
            "The coroutine object came from `count`, probably at "
            "exercises/ch01_ping/ex01_ping.py:14: `total = count()`",
        ],
    ),
    "result_as_value": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Page(BaseModel):\n    total: int\n\n"
        "class CursorResult:\n    pass\n\n@app.get('/ping')\nasync def ping():\n"
        "    return Page(total=CursorResult())\n",
        [
            "`total` was given a CursorResult, the object `execute()` returns",
            "`await session.scalar(...)`",
        ],
    ),
    "returned_none": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    pong: bool\n\n"
        "@app.get('/ping', response_model=Pong)\nasync def ping():\n    return {}.get('pong')\n",
        ["The route returned None, and its response model wants an object", "HTTPException(404"],
    ),
    "from_attributes_missing": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    pong: bool\n\n"
        "class Row:\n    pong = True\n\n@app.get('/ping')\nasync def ping():\n"
        "    return Pong.model_validate(Row())\n",
        [
            "The app raised ValidationError at exercises/ch01_ping/ex01_ping.py:14 (in ping)",
            "Pong was validated from a Row object",
            "`Pong.model_validate(obj, from_attributes=True)`",
        ],
    ),
    "response_without_id": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    id: int\n\n"
        "@app.get('/ping', response_model=Pong)\nasync def ping():\n    return {'id': None}\n",
        ["`id`: Input should be a valid integer (got NoneType)", "Probably the object was never"],
    ),
    "lazy_raise": (
        GET,
        HEAD + "from pydantic import BaseModel\nfrom sqlalchemy.exc import InvalidRequestError\n\n"
        "class Pong(BaseModel):\n    items: list[int]\n\nclass Row:\n    @property\n"
        "    def items(self):\n        raise InvalidRequestError(\"'Row.items' is not available "
        "due to lazy='raise'\")\n\n@app.get('/ping', response_model=list[Pong])\n"
        "async def ping():\n    return [Row(), Row()]\n",
        [
            "FastAPI read `[i].items` for the response model, and Row.items had not been loaded",
            "`lazy='raise'` refused to load it",
            "`.options(selectinload(...))`",
        ],
    ),
    "text_for_datetime": (
        GET,
        HEAD + "from datetime import datetime\n\n@app.get('/ping')\nasync def ping():\n"
        "    return {'at': datetime.fromisoformat('now()')}\n",
        [
            "a datetime column handed back the text 'now()'",
            'Probably a `server_default="now()"`',
            "`server_default=func.now()`",
        ],
    ),
    "validation_error_raised": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Page(BaseModel):\n    limit: int\n\n"
        "@app.get('/ping')\nasync def ping():\n    return Page()\n",
        ["The app raised ValidationError", "1 validation error for Page (`limit`: Field required"],
    ),
    "request_refused": (
        POST,
        HEAD + "from pydantic import BaseModel\n\nclass Ping(BaseModel):\n    id: int\n"
        "    name: str\n\n@app.post('/ping')\nasync def ping(body: Ping):\n    return {}\n",
        [
            "POST /ping answered 422: FastAPI's validation refused the request before the "
            "endpoint ran (the request was sent as application/json): `body.id`: Field required",
        ],
    ),
    "body_expected": (
        GET,
        HEAD + "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n"
        "    name: str = 'shop'\n\n@app.get('/ping')\nasync def ping(settings: Settings):\n"
        "    return {}\n",
        [
            "GET /ping sent no body, yet FastAPI wanted one (loc ['body'])",
            "`Annotated[Settings, Depends(get_settings)]`",
        ],
    ),
    "query_not_body_form": (
        '"POST", "/ping", data={"name": "ada"}, files={"file": ("a.txt", b"x")}',
        HEAD + "from fastapi import UploadFile\n\n@app.post('/ping')\n"
        "async def ping(name: str, file: UploadFile):\n    return {}\n",
        [
            "sent a multipart/form-data body, yet FastAPI looked for `name` in the query string",
            "`Form()` on each form field, or one model `Annotated[Model, Form()]`",
        ],
    ),
    "model_not_form_annotated": (
        '"POST", "/ping", data={"name": "ada"}, files={"file": ("a.txt", b"x")}',
        HEAD + "from typing import Annotated\n\nfrom fastapi import Body, UploadFile\n"
        "from pydantic import BaseModel\n\nclass Meta(BaseModel):\n    name: str\n\n"
        "@app.post('/ping')\nasync def ping(meta: Annotated[Meta, Body()], file: UploadFile):\n"
        "    return {}\n",
        ["the endpoint's parameter `meta` is typed `Meta`, a Pydantic model, which FastAPI reads"],
    ),
    "untyped_parameter": (
        POST,
        HEAD + "from pydantic import BaseModel\n\nclass Ping(BaseModel):\n    name: str\n\n"
        "@app.post('/ping')\nasync def ping(body: Ping, tasks):\n    return {}\n",
        [
            "the endpoint's parameter `tasks` has no type annotation, so FastAPI took it for a "
            "required query parameter",
            "`tasks: BackgroundTasks`",
        ],
    ),
    "untyped_dependency_parameter": (
        GET,
        HEAD + "from fastapi import Depends\n\nasync def caller() -> str:\n    return 'ada'\n\n"
        "async def only_ada(who) -> None:\n    pass\n\n"
        "@app.get('/ping', dependencies=[Depends(only_ada)])\nasync def ping():\n    return {}\n",
        [
            "the parameter `who` of the dependency `only_ada` has no type annotation, so FastAPI "
            "took it for a required query parameter",
            "`who: Annotated[T, Depends(f)]`",
        ],
    ),
    "settings_from_body": (
        POST,
        HEAD + "from pydantic import BaseModel\nfrom pydantic_settings import BaseSettings\n\n"
        "class Settings(BaseSettings):\n    shop: str = 'tea'\n\nclass Ping(BaseModel):\n"
        "    name: str\n\n@app.post('/ping')\nasync def ping(body: Ping, settings: Settings):"
        "\n    return {}\n",
        [
            "the endpoint's parameter `settings` is typed `Settings`, a Pydantic model, so FastAPI "
            "read it from the request body"
        ],
    ),
    "settings_from_body_annotated": (
        POST,
        HEAD + "from typing import Annotated\n\nfrom pydantic import BaseModel\n"
        "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n"
        "    shop: str = 'tea'\n\ndef get_settings() -> Settings:\n    return Settings()\n\n"
        "class Ping(BaseModel):\n    name: str\n\n@app.post('/ping')\n"
        "async def ping(body: Ping, settings: Annotated[Settings, get_settings]):\n"
        "    return {}\n",
        [
            "the endpoint's parameter `settings` is typed `Settings`, a Pydantic model (its "
            "`Annotated[...]` holds no `Depends(...)`), so FastAPI read it from the request body"
        ],
    ),
    "state_on_request": (
        GET,
        HEAD + "from contextlib import asynccontextmanager\n\nfrom fastapi import Request\n\n"
        "@asynccontextmanager\nasync def lifespan(app):\n    app.state.client = 'c'\n"
        "    yield\n\napp = FastAPI(lifespan=lifespan)\n\n@app.get('/ping')\n"
        "async def ping(request: Request):\n    return {'c': request.state.client}\n",
        [
            "a State had no `client`, yet the app's own `app.state.client` is set",
            "`request.app.state.client`",
        ],
    ),
    "closed_client": (
        GET,
        HEAD + "import httpx\n\nclient = httpx.AsyncClient()\n\n@app.get('/ping')\n"
        "async def ping():\n    await client.aclose()\n"
        "    return (await client.get('http://127.0.0.1:9/')).text\n",
        [
            "the httpx client had been closed before this request used it",
            "`yield` inside the `async with` block",
        ],
    ),
    "coroutine_reused": (
        GET,
        HEAD + "from functools import lru_cache\n\n@lru_cache\nasync def conf() -> int:\n"
        "    return 1\n\n@app.get('/ping')\nasync def ping():\n"
        "    return {'n': await conf() + await conf()}\n",
        [
            "cannot reuse already awaited coroutine: the same coroutine object was awaited",
            "a cache (`@lru_cache`) on an `async def` dependency",
        ],
    ),
    "field_on_class": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Conf(BaseModel):\n    shop: str = 'tea'\n\n"
        "def get_conf():\n    return Conf\n\n@app.get('/ping')\nasync def ping():\n"
        "    return {'shop': get_conf().shop}\n",
        [
            "`shop`, a field of `Conf`, was read from a class, not from an instance",
            "`return Conf()`",
        ],
    ),
    "depends_as_value": (
        GET,
        HEAD + "from fastapi import Depends\n\ndef get_shop() -> str:\n    return 'tea'\n\n"
        "def label(shop: str = Depends(get_shop)) -> str:\n    return shop.upper()\n\n"
        "@app.get('/ping')\nasync def ping():\n    return {'shop': label()}\n",
        [
            "'Depends' object has no attribute 'upper'",
            "a parameter's default `Depends(...)` reached the code as it is",
        ],
    ),
    "coroutine_as_value": (
        GET,
        HEAD + "async def read() -> bytes:\n    return b'x'\n\n@app.get('/ping')\n"
        "async def ping():\n    chunk = read()\n    return {'n': len(bytearray(chunk))}\n",
        ["A coroutine object was used as a value: an async function was called without `await`"],
    ),
    "task_not_callable": (
        GET,
        HEAD + "from fastapi import BackgroundTasks\n\nasync def send() -> None: ...\n\n"
        "@app.get('/ping', status_code=202)\nasync def ping(tasks: BackgroundTasks):\n"
        "    tasks.add_task(send())\n    return {}\n",
        [
            "`add_task` was given something that is not a function",
            "`background_tasks.add_task(send, arg1, arg2)`",
        ],
    ),
    "model_not_form": (
        '"POST", "/ping", data={"name": "ada"}, files={"file": ("a.txt", b"x")}',
        HEAD + "from fastapi import UploadFile\nfrom pydantic import BaseModel\n\n"
        "class Meta(BaseModel):\n    name: str\n\n@app.post('/ping')\n"
        "async def ping(meta: Meta, file: UploadFile):\n    return {}\n",
        [
            "the endpoint's parameter `meta` is typed `Meta`, a Pydantic model, which FastAPI "
            "reads from a JSON body, not from form fields",
            "`meta: Annotated[Meta, Form()]`",
        ],
    ),
    "generator_as_json": (
        GET,
        HEAD + "async def lines():\n    yield 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    return lines()\n",
        [
            "FastAPI tried to encode the endpoint's return value as JSON, and it was an async "
            "generator",
            "`StreamingResponse(gen(...), media_type=...)`",
        ],
    ),
    "awaited_async_generator": (
        GET,
        HEAD + "from fastapi.responses import StreamingResponse\n\nasync def lines():\n"
        "    yield 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    return StreamingResponse(await lines())\n",
        [
            "object async_generator can't be used in 'await' expression",
            "returns an async generator at once, which is not awaited but iterated",
            "`StreamingResponse(gen(...), media_type=...)`",
        ],
    ),
    "generator_as_content": (
        GET,
        HEAD + "from fastapi.responses import PlainTextResponse\n\nasync def lines():\n"
        "    yield 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    return PlainTextResponse(lines())\n",
        [
            "'async_generator' object has no attribute 'encode'",
            "probably a `Response` (`PlainTextResponse`, `HTMLResponse`, ...) given it as its "
            "content",
            "`StreamingResponse(gen(...), media_type=...)`",
        ],
    ),
    "state_not_set": (
        GET,
        HEAD + "from fastapi import Request\n\n@app.get('/ping')\n"
        "async def ping(request: Request):\n    return {'c': str(request.app.state.client)}\n",
        [
            "nothing had set `app.state.client` when the request read it",
            "`FastAPI(lifespan=lifespan)` missing",
        ],
    ),
    "expired_after_commit": (
        GET,
        HEAD + "from pydantic import BaseModel\nfrom sqlalchemy.ext.asyncio import "
        "async_sessionmaker, create_async_engine\nfrom sqlalchemy.orm import DeclarativeBase, "
        "Mapped, mapped_column\n\nengine = create_async_engine('sqlite+aiosqlite://')\n"
        "Session = async_sessionmaker(engine)\n\nclass Base(DeclarativeBase): ...\n\n"
        "class Row(Base):\n    __tablename__ = 'rows'\n    id: Mapped[int] = "
        "mapped_column(primary_key=True)\n\nclass Out(BaseModel):\n    id: int\n\n"
        "@app.get('/ping', response_model=Out)\nasync def ping():\n"
        "    async with engine.begin() as conn:\n"
        "        await conn.run_sync(Base.metadata.create_all)\n"
        "    async with Session() as session:\n        row = Row()\n        session.add(row)\n"
        "        await session.commit()\n        return row\n",
        [
            "FastAPI read `id` from the returned Row",
            "DetachedInstanceError",
            "expire_on_commit=False",
        ],
    ),
    "no_row_found": (
        GET,
        HEAD + "from sqlalchemy.exc import NoResultFound\n\n@app.get('/ping')\n"
        "async def ping():\n    raise NoResultFound('No row was found when one was required')\n",
        [
            "The app raised NoResultFound at exercises/ch01_ping/ex01_ping.py:8 (in ping)",
            "`scalar_one_or_none()`",
        ],
    ),
    "method_not_allowed": (
        '"PUT", "/ping", json={}',
        HEAD + "@app.get('/ping')\nasync def ping():\n    return {}\n\n"
        "@app.put('/pings')\nasync def put_ping():\n    return {}\n",
        [
            "PUT /ping answered 405 Method Not Allowed: a route matches the path, but none for PUT",
            "The app's routes: GET /ping, PUT /pings.",
        ],
    ),
    "validator_type_error": (
        POST,
        HEAD + "from pydantic import BaseModel, field_validator\n\nclass Ping(BaseModel):\n"
        "    name: str\n\n    @field_validator('name')\n    @classmethod\n"
        "    def short(cls, value: str) -> str:\n        raise TypeError('too long')\n\n"
        "@app.post('/ping')\nasync def ping(body: Ping):\n    return {}\n",
        [
            "The app raised TypeError at exercises/ch01_ping/ex01_ping.py:12 (in short)",
            "in a validator of Ping",
            "only a ValueError (or an AssertionError)",
        ],
    ),
    "validator_hidden": (
        POST,
        HEAD + "from pydantic import BaseModel, field_validator\n\nclass Ping(BaseModel):\n"
        "    name: str\n\n    @classmethod\n    @field_validator('name')\n"
        "    def short(cls, value: str) -> str:\n        raise ValueError('too long')\n\n"
        "@app.post('/ping')\nasync def ping(body: Ping):\n    raise HTTPException(409)\n",
        [
            "Pydantic never runs the validator `Ping.short`",
            "`@classmethod` is above the validator's decorator",
        ],
    ),
    "router_not_included": (
        GET,
        HEAD + "router = APIRouter()\n\n@router.get('/ping')\nasync def ping():\n"
        "    return {'pong': True}\n",
        [
            "the router `router` has that path, but the app never includes it",
            "`app.include_router(router)`",
        ],
    ),
    "no_route_under_included_router": (
        GET,
        HEAD + "router = APIRouter(prefix='/ping')\n\n@router.get('')\nasync def ping():\n"
        "    return {}\n\napp.include_router(router, prefix='/ping')\n",
        ["GET /ping answered 404 Not Found: no route matches", "The app's routes: GET /ping/ping."],
    ),
    "no_route": (
        GET,
        HEAD + "@app.get('/pong')\nasync def pong():\n    return {}\n",
        ["GET /ping answered 404 Not Found: no route matches", "The app's routes: GET /pong."],
    ),
    "query_not_body": (
        POST,
        HEAD + "@app.post('/ping')\nasync def ping(name: str, age: int):\n    return {}\n",
        ["sent a JSON body, yet FastAPI looked for `name`, `age` in the query string"],
    ),
    "extra_forbidden": (
        POST,
        HEAD + "from pydantic import BaseModel, ConfigDict\n\nclass Ping(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\n    name: str\n\n"
        "@app.post('/ping')\nasync def ping(body: Ping):\n    return {}\n",
        ["forbids extra fields (`extra='forbid'`) and the request had `admin`"],
    ),
    "db_text_leak": (
        GET,
        HEAD + "@app.get('/ping')\nasync def ping():\n    raise HTTPException(409, detail="
        "'(sqlite3.IntegrityError) UNIQUE constraint failed: users.email')\n",
        ["answered 409 with the database's own error text", "UNIQUE constraint failed"],
    ),
    "different_loop": (
        GET,
        HEAD + "import asyncio\n\nother = asyncio.new_event_loop()\nwaiting = other.create_future()"
        "\n\n@app.get('/ping')\nasync def ping():\n    await waiting\n",
        ["attached to a different loop", "create such objects in the lifespan"],
    ),
    "pool_timeout": (
        GET,
        HEAD + "from sqlalchemy.exc import TimeoutError as PoolTimeout\n\n@app.get('/ping')\n"
        "async def ping():\n    raise PoolTimeout('QueuePool limit of size 2 overflow 0 reached, "
        "connection timed out, timeout 0.10')\n",
        ["QueuePool limit of size 2", "checked out and none came back in time"],
    ),
    "pool_wait_too_short": (
        GET,
        HEAD + "from sqlalchemy.exc import TimeoutError as PoolTimeout\n\n@app.get('/ping')\n"
        "async def ping():\n    raise PoolTimeout('QueuePool limit of size 2 overflow 2 reached, "
        "connection timed out, timeout 0.00')\n",
        ["The pool waited 0.00 s for a free connection (its `pool_timeout`)", "`pool_timeout=5`"],
    ),
    "cors_preflight": (
        PREFLIGHT,
        HEAD + "@app.post('/ping')\nasync def ping():\n    return {}\n",
        ["The CORS preflight OPTIONS /ping answered 405", "CORSMiddleware is not installed"],
    ),
    "awaited_plain_value": (
        GET,
        HEAD + "import time\n\n@app.get('/ping')\nasync def ping():\n"
        "    await time.sleep(0)\n    return {}\n",
        [
            "at exercises/ch01_ping/ex01_ping.py:8 (in ping): `await time.sleep(0)`",
            "What was awaited there is a NoneType, not a coroutine",
            "`await asyncio.to_thread(func, *args)`",
        ],
    ),
    "coroutine_attribute_never_awaited": (
        GET,
        HEAD + "async def fetch() -> int:\n    return 1\n\n@app.get('/ping')\n"
        "async def ping():\n    return {'n': fetch().real}\n",
        [
            "`.real` was read from a coroutine object, so the async call that made it was never "
            "awaited",
            "`await a().b()` awaits `b()`, not `a()`",
        ],
    ),
    "coroutine_in_model": (
        GET,
        HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    text: str\n\n"
        "async def render() -> str:\n    return 'pong'\n\n@app.get('/ping')\n"
        "async def ping():\n    return Pong(text=render())\n",
        [
            "The app raised ValidationError at exercises/ch01_ping/ex01_ping.py:14",
            "Pydantic was given a coroutine object for `text`",
        ],
    ),
    "thread_given_result": (
        GET,
        HEAD + "import asyncio\n\ndef render(name: str) -> str:\n    return name\n\n"
        "@app.get('/ping')\nasync def ping():\n"
        "    return {'t': await asyncio.to_thread(render('pong'))}\n",
        [
            "`to_thread` was given the result of `render(...)`, a str, instead of the function",
            "`await asyncio.to_thread(render, arg1, arg2)`",
        ],
    ),
    "legacy_query": (
        GET,
        HEAD + "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine\n\n"
        "engine = create_async_engine('sqlite+aiosqlite://')\n\n@app.get('/ping')\n"
        "async def ping():\n    async with AsyncSession(engine) as db:\n"
        "        return db.query(int).all()\n",
        ["an `AsyncSession` has no `query()`", "await db.scalars(select(User)"],
    ),
    "no_response": (
        GET,
        HEAD + "class Quiet:\n    def __init__(self, app):\n        self.app = app\n\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        if scope['type'] != 'http':\n"
        "            return await self.app(scope, receive, send)\n"
        "        return None\n\napp.add_middleware(Quiet)\n\n@app.get('/ping')\n"
        "async def ping():\n    return {}\n",
        [
            "The app returned from GET /ping without sending a complete response",
            "a response object it returns is ignored",
        ],
    ),
    "middleware_returned_none": (
        GET,
        HEAD + "@app.middleware('http')\nasync def stamp(request, call_next):\n"
        "    response = await call_next(request)\n    response.headers['X-Stamp'] = '1'\n\n"
        "@app.get('/ping')\nasync def ping():\n    return {}\n",
        [
            "The app has the function middleware `stamp`",
            "probably it returned None (no `return response`)",
        ],
    ),
    "header_not_str": (
        GET,
        HEAD + "from fastapi import Response\n\n@app.get('/ping')\n"
        "async def ping(response: Response):\n    response.headers['X-Count'] = 3\n"
        "    return {}\n",
        ["A header was given a value of type int", "each must be a str"],
    ),
    "headers_of_message": (
        GET,
        HEAD + "from starlette.datastructures import MutableHeaders\n\nclass Stamp:\n"
        "    def __init__(self, app):\n        self.app = app\n\n"
        "    async def __call__(self, scope, receive, send):\n"
        "        async def stamped(message):\n"
        "            if message['type'] == 'http.response.start':\n"
        "                MutableHeaders(message)['X-Stamp'] = '1'\n"
        "            await send(message)\n\n"
        "        await self.app(scope, receive, stamped)\n\napp.add_middleware(Stamp)\n\n"
        "@app.get('/ping')\nasync def ping():\n    return {}\n",
        [
            "`MutableHeaders(x)` reads `x` as a mapping of header names to values",
            "`MutableHeaders(scope=message)`",
        ],
    ),
    "unhandled": (
        GET,
        HEAD + "@app.get('/ping')\nasync def ping():\n    user = {}\n    return user['email']\n",
        [
            "The app raised KeyError at exercises/ch01_ping/ex01_ping.py:7 (in ping): "
            "`return user['email']`"
        ],
    ),
    "unhandled_after_the_response": (
        GET,
        HEAD + "from fastapi import BackgroundTasks\n\n\ndef mail(to):\n"
        "    raise ValueError(f'no mailbox for {to}')\n\n\nasync def job(to):\n    mail(to)\n\n"
        "@app.get('/ping', status_code=202)\nasync def ping(tasks: BackgroundTasks):\n"
        "    tasks.add_task(job, 'ada')\n    return {}\n",
        [
            "The app raised ValueError at exercises/ch01_ping/ex01_ping.py:8 (in mail): "
            "`raise ValueError(f'no mailbox for {to}')`: no mailbox for ada (called from "
            "exercises/ch01_ping/ex01_ping.py:12 (in job): `mail(to)`)",
            "It left the app after the response had been sent",
            "a background job, handles its own errors",
        ],
    ),
    "object_repr_keeps_its_class": (
        GET,
        HEAD + "class Thing: ...\n\n@app.get('/ping')\nasync def ping():\n"
        "    raise ValueError(f'a value expected, got {Thing()}')\n",
        ["a value expected, got <Thing object>"],
    ),
    "missing_bind_value": (
        GET,
        run_sql("text('SELECT :name')", "{'nam': 'ada'}"),
        [
            "A value is required for bind parameter 'name'",
            "execute() had no value named `name` (it got `nam`)",
        ],
    ),
    "parameters_not_a_dict": (
        GET,
        run_sql("text('SELECT :names')", "['ada', 'bob']"),
        [
            "List argument must consist only of dictionaries",
            "execute() was given a list of plain values as its parameters",
            '`await db.execute(statement, {"names": values})`',
        ],
    ),
    "sqlite_key_not_numbered": (
        GET,
        SQL + "@app.get('/ping')\nasync def ping():\n    async with engine.begin() as conn:\n"  # noqa: S608 (a test app)
        "        await conn.execute(text('CREATE TABLE t (id BIGINT NOT NULL, name TEXT, "
        "PRIMARY KEY (id))'))\n"
        "        await conn.execute(text(\"INSERT INTO t (name) VALUES ('ada')\"))\n"
        "    return {}\n",
        [
            "The app raised IntegrityError at exercises/ch01_ping/ex01_ping.py:",
            "NOT NULL constraint failed: t.id",
            "The INSERT gave no value for `id`",
            "it does that only for a column declared exactly",
            '`BigInteger().with_variant(Integer, "sqlite")`',
        ],
    ),
    "quoted_placeholder": (
        GET,
        run_sql("text(\"SELECT 'hello :name'\")", "{'name': 'ada'}"),
        ["the placeholder is inside quotes ('hello ?')", "write the parameter bare"],
    ),
    "list_not_expanded": (
        GET,
        run_sql("text(\"SELECT 1 WHERE 'a' IN :names\")", "{'names': ['a', 'b']}"),
        ["A list, ['a', 'b'], was bound to one placeholder (`IN ?`)", "expanding=True"],
    ),
    "expanding_in_parentheses": (
        GET,
        run_sql(
            "text(\"SELECT 1 WHERE 'a' IN (:names)\").bindparams(bindparam('names', "
            "expanding=True))",
            "{'names': ['a', 'b']}",
        ),
        ["an expanding parameter renders its own parentheses", "write `IN :names`"],
    ),
    "escape_clause": (
        GET,
        run_sql("text(\"SELECT 1 WHERE 'a' LIKE :p ESCAPE ''\")", "{'p': 'a'}"),
        ["The SQL it sent says `ESCAPE ''`", "`ESCAPE '#'`"],
    ),
    "plain_value_for_row": (
        GET,
        run_sql(
            "text(\"SELECT 1 AS id, 'ada' AS name\")",
            then="    names = [row.name for row in result.scalars()]\n",
        ),
        ["read `.name` from a plain int", "probably the result came from `scalars()`"],
    ),
    "rows_for_entities": (
        GET,
        SQL + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    id: int\n\n"
        "@app.get('/ping', response_model=list[Pong])\nasync def ping():\n"
        "    async with engine.connect() as conn:\n"
        "        return (await conn.execute(text('SELECT 1 AS x'))).all()\n",
        ["FastAPI got SQLAlchemy `Row` objects", "(await db.scalars(select(Model))).all()"],
    ),
    "coroutine_bound": (
        GET,
        SQL + "async def make() -> str:\n    return 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    async with engine.connect() as conn:\n"
        "        await conn.execute(text('SELECT :v'), {'v': make()})\n",
        ["A coroutine object was sent to the database as a column value"],
    ),
    "coroutine_attribute": (
        GET,
        HEAD + "async def rows() -> list[int]:\n    return []\n\n@app.get('/ping')\n"
        "async def ping():\n    return await rows().copy()\n",
        ["`.copy` was read from a coroutine", "`(await rows()).copy()`"],
    ),
    "not_callable": (
        GET,
        HEAD + "from fastapi.concurrency import run_in_threadpool\n\ndef work() -> str:\n"
        "    return 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    return await run_in_threadpool(work())\n",
        [
            "`run_in_threadpool` was given the result of `work(...)`, not the function",
            "`run_in_threadpool(work, arg1, arg2)`",
        ],
    ),
    "token_error_escaped": (
        GET,
        HEAD + "import jwt\n\n@app.get('/ping')\nasync def ping():\n"
        "    return jwt.decode('a.b.c', 'key', algorithms=['HS256'])\n",
        ["PyJWT refused the token, and nothing caught that", "subclass of `jwt.PyJWTError`"],
    ),
    "unknown_hash": (
        GET,
        HEAD + "from pwdlib import PasswordHash\n\n@app.get('/ping')\nasync def ping():\n"
        "    return PasswordHash.recommended().verify('$argon2id$v=19$m=1', 'secret')\n",
        ["pwdlib could not tell which hasher made the value", "verify(password, stored_hash)"],
    ),
    "get_reads_body": (
        GET,
        HEAD + "@app.get('/ping', status_code=201)\nasync def ping(name: list[str] = []):\n"
        "    return name\n",
        [
            "reads `name` (list[str]) from the request body, which a GET request does not send",
            "`name: Annotated[list[str], Query()]`",
        ],
    ),
    "no_route_lists_included_routers": (
        GET,
        HEAD + "router = APIRouter(prefix='/v1')\n\n@router.get('/pong')\nasync def pong():\n"
        "    return {}\n\napp.include_router(router, prefix='/api')\n",
        ["GET /ping answered 404 Not Found", "The app's routes: GET /api/v1/pong."],
    ),
}


# The sessions' and the endpoints' diagnoses (fastlings/plugin/diagnoses/sessions.py, endpoints.py).
DB = (
    HEAD + "from sqlalchemy import text\nfrom sqlalchemy.ext.asyncio import async_sessionmaker, "
    "create_async_engine\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
    "engine = create_async_engine('sqlite+aiosqlite://')\nSession = async_sessionmaker(engine)\n\n"
    "class Base(DeclarativeBase): ...\n\nclass Row(Base):\n    __tablename__ = 'rows'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n\n"
)
HERE = DB.replace(
    "engine = create_async_engine('sqlite+aiosqlite://')",
    "import os\n\nengine = create_async_engine(os.environ['DATABASE_URL'])",
)
CASES.update(
    {
        "missing_schema": (
            GET,
            HERE + "@app.get('/ping')\nasync def ping():\n    async with Session() as s:\n"
            "        await s.get(Row, 1)\n",
            [
                "The app raised OperationalError at exercises/ch01_ping/ex01_ping.py:",
                "no such table: rows",
                "names the table `rows`, and the database the app was given has no such thing",
                "`alembic upgrade head`",
            ],
        ),
        "missing_schema_column": (
            GET,
            HERE + "@app.get('/ping')\nasync def ping():\n    async with engine.begin() as c:\n"
            "        await c.execute(text('CREATE TABLE rows (key INTEGER)'))\n"
            "    async with Session() as s:\n        await s.get(Row, 1)\n",
            ["no such column: rows.id", "names the column `rows.id`"],
        ),
    }
)
CASES.update(
    {
        "other_database": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    async with Session() as s:\n"
            "        await s.get(Row, 1)\n",
            [
                "no such table: rows",
                "The app's `engine` is connected to sqlite+aiosqlite://, not to the database the "
                "check gave it in DATABASE_URL",
            ],
        ),
        "sync_engine": (
            GET,
            HEAD + "from sqlalchemy import create_engine\nfrom sqlalchemy.ext.asyncio import "
            "AsyncSession\n\nengine = create_engine('sqlite://')\n\n@app.get('/ping')\n"
            "async def ping():\n    async with AsyncSession(engine):\n        return {}\n",
            ["AsyncEngine expected, got Engine", "`create_async_engine(url)`"],
        ),
        "factory_as_session": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    db = Session\n"
            "    await db.execute(text('SELECT 1'))\n",
            [
                "ex01_ping.py:20 (in ping)",
                "`.execute` was asked of an `async_sessionmaker`, the session factory itself",
            ],
        ),
        "already_begun": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    async with Session() as s:\n"
            "        await s.execute(text('SELECT 1'))\n        async with s.begin():\n"
            "            return {}\n",
            [
                "A transaction is already begun on this Session",
                "begins its transaction by itself with its first statement",
            ],
        ),
        "not_persistent": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    async with Session() as s:\n"
            "        row = Row()\n        s.add(row)\n        await s.refresh(row)\n",
            ["is not persistent within this Session", "never flushed or committed"],
        ),
        "pending_rollback": (
            GET,
            DB + "from sqlalchemy.exc import IntegrityError\n\n@app.get('/ping')\n"
            "async def ping():\n    async with engine.begin() as conn:\n"
            "        await conn.run_sync(Base.metadata.create_all)\n"
            "    async with Session() as s:\n        s.add(Row(id=1))\n"
            "        await s.commit()\n        s.add(Row(id=1))\n        try:\n"
            "            await s.commit()\n        except IntegrityError:\n            pass\n"
            "        await s.execute(text('SELECT 1'))\n",
            ["The app raised PendingRollbackError", "`await db.rollback()` in the `except`"],
        ),
        "after_response": (
            GET,
            HEAD + "from fastapi import Depends\n\nasync def late():\n    yield\n"
            "    raise HTTPException(409, detail='too late')\n\n"
            "@app.get('/ping', status_code=201, dependencies=[Depends(late)])\n"
            "async def ping():\n    return {}\n",
            [
                "An exception was raised at exercises/ch01_ping/ex01_ping.py:8 (in late): "
                "`raise HTTPException(409, detail='too late')` after the response had started",
            ],
        ),
        "returned_exception": (
            GET,
            HEAD + "from pydantic import BaseModel\n\nclass Pong(BaseModel):\n    pong: bool\n\n"
            "@app.get('/ping', response_model=Pong)\nasync def ping():\n"
            "    return HTTPException(404, detail='no pong')\n",
            ["The endpoint returned a `HTTPException` instead of raising it"],
        ),
        "endpoint_not_found": (
            GET,
            HEAD + "@app.get('/ping')\nasync def ping():\n    raise HTTPException(404)\n",
            ["yet the route GET /ping matches it", "raised `HTTPException(404)` without a detail"],
        ),
        "no_route_in_included_router": (
            GET,
            HEAD + "router = APIRouter(prefix='/api')\n\n@router.get('/ping')\n"
            "async def ping():\n    return {}\n\napp.include_router(router)\n",
            [
                "GET /ping answered 404 Not Found: no route matches",
                "The app's routes: GET /api/ping.",
            ],
        ),
        "not_in_path": (
            '"GET", "/ping/1"',
            HEAD + "@app.get('/ping/{id}')\nasync def ping(ping_id: int):\n    return {}\n",
            ["The route's path `/ping/{id}` has no `{ping_id}`, and its `{id}` is taken by no"],
        ),
        "dependency_parameter": (
            GET,
            HEAD + "from typing import Annotated\nfrom fastapi import Depends\n\nclass Factory:\n"
            "    def __call__(self, **options: object) -> dict:\n        return options\n\n"
            "make = Factory()\n\n@app.get('/ping')\n"
            "async def ping(db: Annotated[dict, Depends(make)]):\n    return {}\n",
            ["FastAPI looked for `options`", "a parameter of the dependency `make` (Factory)"],
        ),
    }
)


# A session entered wrongly, a name never imported, the driver's exception class, and a
# middleware Starlette cannot build (sessions.py, imports.py, middleware.py).
CORS = (
    HEAD + "from fastapi.middleware import Middleware\n"
    "from fastapi.middleware.cors import CORSMiddleware\n\n"
)
PING = "\n@app.get('/ping')\nasync def ping():\n    return {}\n"
CASES.update(
    {
        "session_not_entered": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    async with Session as s:\n"
            "        return {}\n",
            [
                "(in ping): `async with Session as s:`",
                "'async_sessionmaker' object does not support the asynchronous context manager",
                "the factory was not called",
                "FastAPI answered 500 for it",
            ],
        ),
        "session_plain_with": (
            GET,
            DB + "@app.get('/ping')\nasync def ping():\n    with Session() as s:\n"
            "        return {}\n",
            [
                "(in ping): `with Session() as s:`",
                "A plain `with` was used on an AsyncSession",
                "`async with SessionLocal() as session: yield session`",
            ],
        ),
        "undefined_name": (
            GET,
            HEAD + "@app.get('/ping')\nasync def ping():\n"
            "    raise HTTPExeption(status_code=404)\n",
            [
                "ex01_ping.py:6 (in ping)",
                "name 'HTTPExeption' is not defined",
                "The module has no global `HTTPExeption`",
            ],
        ),
        "driver_exception": (
            GET,
            SQL + "from sqlite3 import IntegrityError\n\n@app.get('/ping')\nasync def ping():\n"  # noqa: S608 (a test app)
            "    async with engine.connect() as conn:\n"
            "        await conn.execute(text('CREATE TABLE t (x INTEGER UNIQUE)'))\n"
            "        try:\n"
            "            await conn.execute(text('INSERT INTO t VALUES (1), (1)'))\n"
            "        except IntegrityError:\n"
            "            raise HTTPException(409)\n"
            "    return {}\n",
            [
                "UNIQUE constraint failed",
                "the module's `IntegrityError` is sqlite3.IntegrityError, the driver's class",
                "`from sqlalchemy.exc import IntegrityError`",
            ],
        ),
        "middleware_unknown_keyword": (
            GET,
            CORS
            + "app.add_middleware(CORSMiddleware, allowed_origins=['https://a.example'])\n"
            + PING,
            [
                "while Starlette built its middleware",
                "`CORSMiddleware` has no parameter `allowed_origins`; it takes `allow_origins`",
            ],
        ),
        "middleware_given_none": (
            GET,
            CORS + "app.add_middleware(CORSMiddleware, allow_origins=None)\n" + PING,
            ["argument of type 'NoneType' is not iterable", "was given allow_origins=None"],
        ),
        "middleware_object_added": (
            GET,
            CORS
            + "app.add_middleware(Middleware(CORSMiddleware, allow_origins=['https://a.example']))\n"
            + PING,
            [
                "'Middleware' object is not callable",
                "`app.add_middleware` was given a `Middleware(CORSMiddleware, ...)` object",
            ],
        ),
    }
)


def check_ex01(
    course: Path, *args: str, columns: str | None = "400"
) -> tuple[subprocess.CompletedProcess[str], str]:
    """`fastlings check ex01_ping` in `course`, uncoloured (400 columns wide unless told), and its
    output with the whitespace squeezed."""
    env = {**os.environ, "NO_COLOR": "1", **({"COLUMNS": columns} if columns else {})}
    done = subprocess.run(
        [sys.executable, "-m", "fastlings", "check", "ex01_ping", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, " ".join(done.stdout.split())


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_first_screen_names_the_cause(tiny_course: Path, case: str) -> None:
    request, app, expected = CASES[case]
    (tiny_course / STARTER).write_text(app)
    (tiny_course / CHECKS).write_text(CHECK.format(request=request))
    done, screen = check_ex01(tiny_course)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "What the app did:" in screen, done.stdout + done.stderr
    for text in expected:
        assert " ".join(text.split()) in screen, done.stdout
    if case == "unhandled":  # the editor's problem matcher finds the line in the real output
        tasks = json.loads((Path(__file__).parents[1] / ".vscode/tasks.json").read_text())
        pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]["regexp"]
        found = [m for line in done.stdout.splitlines() if (m := re.search(pattern, line))]
        assert ("exercises/ch01_ping/ex01_ping.py", "7") in [m.groups()[:2] for m in found]


def test_a_parameter_fastapi_cannot_read_is_named_at_import(tiny_course: Path) -> None:
    """FastAPI's own message speaks of a "response field"; the screen names the parameter."""
    app = HEAD + (
        "class Store:\n    pass\n\n@app.get('/ping')\nasync def ping(store: Store):\n"
        "    return {}\n"
    )
    (tiny_course / STARTER).write_text(app)
    done, screen = check_ex01(tiny_course)
    assert done.returncode == 1, done.stdout + done.stderr
    for text in (
        "ex01_ping.py:7: FastAPIError",
        "the parameter `store` of `ping` is typed `Store`",
        "`store: Annotated[Store, Depends(...)]`",
    ):
        assert text in screen, done.stdout


EXPECTING_CHECK = """
from types import ModuleType

from fastlings.testing import ClientFactory, Teach, expecting


async def test_ping_answers_pong(module: ModuleType, make_client: ClientFactory, teach: Teach):
    async with make_client(module.app) as client:
        refused = await client.post("/ping", json={{}}{wrap})
        response = await client.get("/boom")
    assert refused.status_code == 422 and response.status_code == 200, teach(
        f"GET /boom answered {{response.status_code}}.", "200"
    )
"""


@pytest.mark.parametrize("wrap", [", extensions=expecting(422)", ""])
def test_answers_the_check_expected_are_not_diagnosed(tiny_course: Path, wrap: str) -> None:
    """A 422 the check sent `expecting(422)` is no cause; the same 422 unexpected is one."""
    app = HEAD + (
        "from pydantic import BaseModel\n\nclass Ping(BaseModel):\n    name: str\n\n"
        "@app.post('/ping')\nasync def ping(body: Ping):\n    return {}\n\n"
        "@app.get('/boom')\nasync def boom():\n    return {}['x']\n"
    )
    (tiny_course / STARTER).write_text(app)
    (tiny_course / CHECKS).write_text(EXPECTING_CHECK.format(wrap=wrap))
    done, screen = check_ex01(tiny_course)
    assert done.returncode == 1 and "The app raised KeyError" in screen, done.stdout
    refused = "POST /ping answered 422: FastAPI's validation refused the request"
    assert (refused in screen) == (not wrap), done.stdout


BODY_CHECK = """
from types import ModuleType

from fastlings.testing import ClientFactory, Teach


async def test_ping_answers_pong(module: ModuleType, make_client: ClientFactory, teach: Teach):
    async with make_client(module.app) as client:
        response = await client.get("/ping")
    assert response.text == "x", teach(f"GET /ping answered {response.text!r}.", "'x'")
"""


def test_a_function_streamed_uncalled_is_named(tiny_course: Path) -> None:
    """The stream starts with 200, then fails: the check reads the body, not the status."""
    (tiny_course / STARTER).write_text(
        HEAD + "from fastapi.responses import StreamingResponse\n\nasync def lines():\n"
        "    yield 'x'\n\n@app.get('/ping')\nasync def ping():\n"
        "    return StreamingResponse(lines)\n"
    )
    (tiny_course / CHECKS).write_text(BODY_CHECK)
    done, screen = check_ex01(tiny_course)
    assert done.returncode == 1, done.stdout + done.stderr
    for text in (
        "'function' object is not iterable",
        "Something iterated over a function itself instead of what calling it returns",
        "`StreamingResponse(gen(...))`",
    ):
        assert text in screen, done.stdout


def test_a_check_error_names_the_learner_line(tiny_course: Path) -> None:
    """A check that errors (here the app's lifespan raises at start-up) shows the line."""
    (tiny_course / STARTER).write_text(
        HEAD + "from contextlib import asynccontextmanager\n\n@asynccontextmanager\n"
        "async def lifespan(app):\n    settings = {}\n    app.state.url = settings['url']\n"
        "    yield\n\napp = FastAPI(lifespan=lifespan)\n"
    )
    (tiny_course / CHECKS).write_text(CHECK.format(request=GET))
    done, screen = check_ex01(tiny_course)
    assert done.returncode == 1 and "KeyError: 'url'" in screen, done.stdout + done.stderr
    expected = "(raised at exercises/ch01_ping/ex01_ping.py:9 (in lifespan): `app.state.url = "
    assert expected + "settings['url']`)" in screen, done.stdout


def test_a_passing_check_gets_no_diagnosis(tiny_course: Path) -> None:
    done, _ = check_ex01(tiny_course, "--target", "solution", columns=None)
    assert done.returncode == 0 and "What the app did" not in done.stdout, done.stdout


def test_an_included_routers_own_404_is_not_called_unmounted(tiny_course: Path) -> None:
    """A router that is mounted, and answers 404 itself (an HTTPException), is not reported as a
    router the app never includes (FastAPI 0.165 keeps mounted routers as `_IncludedRouter`)."""
    app = (
        HEAD + "router = APIRouter()\n\n@router.get('/ping')\nasync def ping():\n"
        "    raise HTTPException(404, 'No such pong')\n\napp.include_router(router)\n"
    )
    (tiny_course / STARTER).write_text(app)
    (tiny_course / CHECKS).write_text(CHECK.format(request=GET))
    done, _ = check_ex01(tiny_course)
    assert done.returncode == 1 and "/ping answered 404" in done.stdout, done.stdout
    assert "never includes it" not in done.stdout and "no route matches" not in done.stdout


def test_a_coroutine_discarded_elsewhere_is_placed_at_the_learners_call(tmp_path: Path) -> None:
    """Python warns where a never-awaited coroutine was discarded; when that is not the
    learner's file, the diagnosis names the learner's one call without `await`, or no place."""
    from fastlings.plugin.diagnoses import diagnose
    from fastlings.plugin.observe import Observations, Seen

    learner = tmp_path / "app.py"
    learner.write_text("async def f(db):\n    row = load(db)\n    return row.name\n")
    message = "coroutine 'load' was never awaited"
    seen = Seen("RuntimeWarning", message, "checks/helper.py:74", "await client.get(url)")
    found = diagnose(Observations(learner_file=learner, warnings=[seen]))
    assert "app.py:2: `load` was called without `await`" in found[0].cause
    assert found[0].cause.startswith("Probably ") and "`await load(db)`" in found[0].advice
    learner.write_text("async def f(db):\n    row = load(db)\n    other = load(db)\n")
    found = diagnose(Observations(learner_file=learner, warnings=[seen]))
    assert found[0].cause.startswith("`load` was called without `await`"), found[0].cause
