"""Chapter 9's runner (`checks/ch09_testing_your_api/mutants.py`): the quick run the checks make
gives the verdicts of the full run, and leaves nothing behind.

The quick run skips the tests whose outcome cannot change a verdict (no mutant when no test
passed on the correct app; nothing after the first test that catches a mutant). A verdict is:
every test passed on the correct app, and, for each mutant, whether a test that passed on the
correct app failed on it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from checks.ch09_testing_your_api.mutants import MARKER, run_all

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parents[1]
CH9 = "ch09_testing_your_api"
EX1 = "ex01_users_api_tests.py"

# Tests that pass on the correct app and catch only the 200 and the missing email validation.
STATUS_ONLY = """
import os

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

pytestmark = pytest.mark.asyncio
ADA = {"email": "ada@example.com", "name": "Ada", "password": "correct horse battery"}


@pytest_asyncio.fixture
async def client():
    test_engine = create_async_engine(os.environ["TEST_DATABASE_URL"])
    async with test_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(test_engine, expire_on_commit=False)

    async def override():
        async with sessions() as session:
            yield session

    app.dependency_overrides[get_db] = override
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http
    app.dependency_overrides.clear()
    await test_engine.dispose()


async def test_unknown_user_is_404(client):
    assert (await client.get("/users/999")).status_code == 404


async def test_signup_is_201(client):
    assert (await client.post("/users", json=ADA)).status_code == 201


async def test_bad_email_is_422(client):
    assert (await client.post("/users", json={**ADA, "email": "x"})).status_code == 422
"""


def verdicts(run: dict[str, Any]) -> dict[str, bool]:
    correct = run["correct"]
    green = {n for n, t in correct["tests"].items() if t["outcome"] == "passed"}
    found = {
        "correct": bool(correct["tests"])
        and green == set(correct["tests"])
        and not correct["collect_errors"]
        and not correct["leftover_overrides"]
    }
    for name, record in run.items():
        if name != "correct":
            outcomes = {n: record["tests"].get(n, {}).get("outcome") for n in green}
            found[name] = any(o in ("failed", "error") for o in outcomes.values())
    return found


def status_only(tmp_path: Path) -> Path:
    starter = (REPO / "exercises" / CH9 / EX1).read_text(encoding="utf-8")
    path = tmp_path / EX1
    path.write_text(starter.split(MARKER, 1)[0] + MARKER + STATUS_ONLY, encoding="utf-8")
    return path


YES, NO = True, False


@pytest.mark.parametrize(
    ("which", "expected", "ran"),
    [
        # verdicts (correct app, status_200, leaks_hash) and tests run per app in the quick run
        ("solution", (YES, YES, YES), (7, 1, 1)),  # each mutant caught by the first test
        ("starter", (NO, NO, NO), (1, 0, 0)),  # nothing passes: no mutant is even imported
        ("status_only", (YES, YES, NO), (3, 2, 3)),  # leaks_hash never caught: all its tests
    ],
)
def test_quick_run_gives_the_full_runs_verdicts(
    which: str, expected: tuple[bool, ...], ran: tuple[int, ...], tmp_path: Path
) -> None:
    files = {
        "solution": REPO / "solutions" / CH9 / EX1,
        "starter": REPO / "exercises" / CH9 / EX1,
        "status_only": status_only(tmp_path),
    }
    apps = ("correct", "status_200", "leaks_hash")
    modules, path = set(sys.modules), list(sys.path)
    quick = run_all(files[which], None, apps[1:])
    full = run_all(files[which], None, apps[1:], thorough=True)
    assert verdicts(quick) == verdicts(full) == dict(zip(apps, expected, strict=True))
    assert tuple(len(quick[app]["tests"]) for app in apps) == ran
    # Every outcome the quick run has is the full run's.
    for app, record in quick.items():
        for name, test in record["tests"].items():
            assert full[app]["tests"][name]["outcome"] == test["outcome"], (app, name)
    assert not [m for m in set(sys.modules) - modules if m.startswith(EX1[:-3])]
    assert sys.path == path


# Tests that fail on the correct app, each on an answer of its own (and one that passes).
MISTAKEN = """
import os

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

pytestmark = pytest.mark.asyncio
ADA = {"email": "ada@example.com", "name": "Ada", "password": "correct horse battery"}


@pytest_asyncio.fixture
async def client():
    test_engine = create_async_engine(os.environ["TEST_DATABASE_URL"])
    sessions = async_sessionmaker(test_engine, expire_on_commit=False)

    async def override():
        async with sessions() as session:
            yield session

    app.dependency_overrides[get_db] = override
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http
    app.dependency_overrides.clear()
    await test_engine.dispose()


async def test_wrong_path(client):
    assert (await client.post("/user", json=ADA)).status_code == 201


async def test_short_password(client):
    assert (await client.post("/users", json={**ADA, "password": "x"})).status_code == 201


async def test_no_tables(client):
    await client.post("/users", json=ADA)


async def test_schema_is_served(client):
    assert (await client.get("/openapi.json")).status_code == 200
"""


def test_a_failing_test_is_reported_with_its_line_and_what_it_received(tmp_path: Path) -> None:
    starter = (REPO / "exercises" / CH9 / EX1).read_text(encoding="utf-8")
    path = tmp_path / EX1
    path.write_text(starter.split(MARKER, 1)[0] + MARKER + MISTAKEN, encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    tests = run_all(path, None, ())["correct"]["tests"]
    assert tests["test_schema_is_served"] == {"outcome": "passed", "message": ""}
    wrong, short, tables = (
        tests[f"test_{n}"] for n in ("wrong_path", "short_password", "no_tables")
    )
    number = lines.index('    assert (await client.post("/user", json=ADA)).status_code == 201') + 1
    assert wrong["line"].startswith(f'your line {number}: `assert (await client.post("/user"')
    assert wrong["received"] == (
        "POST /user answered 404: the app has no route for /user; its routes: "
        "POST /users, GET /users/{user_id}"
    )
    assert short["received"] == (
        "POST /users answered 422: body.password: String should have at least 8 characters"
    )
    assert tables["received"].startswith("POST /users answered 500: the app raised ")
    assert "no such table: users" in tables["received"]
    assert tables["received"].endswith(
        "at the users app's line `await db.commit()` (in create_user)"
    )
