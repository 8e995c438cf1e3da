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
        ["sent a multipart/form-data body, yet FastAPI looked for `name` in the query string"],
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
    "router_not_included": (
        GET,
        HEAD + "router = APIRouter()\n\n@router.get('/ping')\nasync def ping():\n"
        "    return {'pong': True}\n",
        [
            "the router `router` has that path, but the app never includes it",
            "`app.include_router(router)`",
        ],
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
    "cors_preflight": (
        PREFLIGHT,
        HEAD + "@app.post('/ping')\nasync def ping():\n    return {}\n",
        ["The CORS preflight OPTIONS /ping answered 405", "CORSMiddleware is not installed"],
    ),
    "unhandled": (
        GET,
        HEAD + "@app.get('/ping')\nasync def ping():\n    user = {}\n    return user['email']\n",
        [
            "The app raised KeyError at exercises/ch01_ping/ex01_ping.py:7 (in ping): "
            "`return user['email']`"
        ],
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


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_first_screen_names_the_cause(tiny_course: Path, case: str) -> None:
    request, app, expected = CASES[case]
    (tiny_course / STARTER).write_text(app)
    (tiny_course / CHECKS).write_text(CHECK.format(request=request))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "400"}
    done = subprocess.run(
        [sys.executable, "-m", "fastlings", "check", "ex01_ping"],
        cwd=tiny_course,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    screen = " ".join(done.stdout.split())
    assert done.returncode == 1, done.stdout + done.stderr
    assert "What the app did:" in screen, done.stdout + done.stderr
    for text in expected:
        assert " ".join(text.split()) in screen, done.stdout
    if case == "unhandled":  # the editor's problem matcher finds the line in the real output
        tasks = json.loads((Path(__file__).parents[1] / ".vscode/tasks.json").read_text())
        pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]["regexp"]
        found = [m for line in done.stdout.splitlines() if (m := re.search(pattern, line))]
        assert ("exercises/ch01_ping/ex01_ping.py", "7") in [m.groups()[:2] for m in found]


def test_a_passing_check_gets_no_diagnosis(tiny_course: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fastlings", "check", "ex01_ping", "--target", "solution"],
        cwd=tiny_course,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "What the app did" not in done.stdout, done.stdout


def test_a_function_in_annotated_without_depends_is_named(tmp_path: Path) -> None:
    from fastlings.course.loader import LearnerCodeError, import_fresh

    path = tmp_path / "app_without_depends.py"
    path.write_text(
        "from typing import Annotated\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n"
        "class Session: ...\n\nasync def get_db():\n    yield Session()\n\n"
        "@app.get('/ping')\nasync def ping(db: Annotated[Session, get_db]):\n    return {}\n"
    )
    with pytest.raises(LearnerCodeError) as raised:
        import_fresh("app_without_depends", path)
    said = " ".join(str(raised.value).split())
    assert "app_without_depends.py:12: FastAPIError" in said, said
    assert "FastAPI treats a function in `Annotated` as a dependency only inside" in said, said
    assert "Write `Annotated[Session, Depends(get_db)]`." in said, said
