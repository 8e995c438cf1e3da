"""Chapter 9, exercise 1: write the tests for the users API.

This time the code under test is given (`checks/ch09_testing_your_api/users_app.py`: read it)
and YOU write the tests. This file is how many FastAPI test files start, copied from older
tutorials: it does not even run today. Make it run, then make it catch bugs. The checks run
your tests against the correct app, where they must pass, and against four broken copies of
it, where at least one of them must fail. Every `# TODO:` marks a place to change. Run with:

    pytest checks/ch09_testing_your_api/test_ex01_users_api_tests.py   (the checks)
    pytest exercises/ch09_testing_your_api/ex01_users_api_tests.py      (just your tests)

The checks give your tests a throw-away database in TEST_DATABASE_URL. The lesson:
lessons/ch09_testing_your_api.md
"""

import pytest
from httpx import AsyncClient

from checks.ch09_testing_your_api.users_app import app, get_db

# TODO: mark every async test of the module for pytest-asyncio: the checks run it in strict
# mode, where unmarked async tests do not run (`pytestmark = pytest.mark.asyncio`).
ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"}


# TODO: give the tests their own database: a fixture that creates an async engine on
# os.environ.get("TEST_DATABASE_URL", <a SQLite file in tmp_path>), creates the tables
# (Base.metadata.create_all), yields, drops them and disposes the engine.
# TODO: the override must be an async generator, like get_db, that yields an AsyncSession on
# that test database. This one returns None, so every endpoint gets `db=None`.
def override_get_db():
    pass


# TODO: set the override inside the client fixture, and clear it after every test
# (`app.dependency_overrides.clear()` after the yield), or it leaks into every later test.
app.dependency_overrides[get_db] = override_get_db


# TODO: httpx 0.28 removed `app=`: use `AsyncClient(transport=ASGITransport(app=app),
# base_url="http://test")`. Mark async fixtures with `@pytest_asyncio.fixture`: in strict mode
# a plain `@pytest.fixture` on an `async def` is an error.
@pytest.fixture
async def client():
    async with AsyncClient(app=app, base_url="http://test") as http:
        yield http


# TODO: assert what the API promises, not just "it did not crash": 201, exactly the public
# fields (no password, no hash), 422 for an invalid email, and the row in YOUR test database.
async def test_signup(client):
    response = await client.post("/users", json=ADA)
    assert response.status_code < 300
