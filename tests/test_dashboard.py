"""The dashboard's API, tested the way the course teaches: httpx over ASGITransport, the
lifespan entered, settings replaced through `dependency_overrides`."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from fastlings.dashboard.app import create_app
from fastlings.dashboard.settings import Settings, get_settings

INSTRUCTOR = "instructor-token-0123456789"
CODE = "room-42"


def event(exercise: str = "ex01_users_router", passed: bool = False) -> dict[str, object]:
    return {
        "exercise": exercise,
        "passed": passed,
        "passed_checks": ["test_a"] if not passed else ["test_a", "test_b"],
        "failing_checks": [] if passed else ["test_b"],
        "first_failure": None if passed else "test_b",
        "headline": None if passed else "POST /users answered 500.",
        "duration": 0.8,
        "version": "0.1.0",
    }


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[AsyncClient]:
    app = create_app()
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'room.db'}",
        instructor_token=INSTRUCTOR,
        join_code=CODE,
        events_per_minute=5,
    )
    app.dependency_overrides[get_settings] = lambda: settings
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://room") as client:
            yield client


async def joined(api: AsyncClient, name: str) -> dict[str, str]:
    response = await api.post("/api/join", json={"join_code": CODE, "name": name})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


TEACHER = {"Authorization": f"Bearer {INSTRUCTOR}"}


async def test_join_needs_the_code_and_a_sane_unique_name(api: AsyncClient) -> None:
    assert (await api.post("/api/join", json={"join_code": "x", "name": "Ada"})).status_code == 403
    for bad in ("", " ", "a" * 41, "Ada\nLovelace", "\x1b[31mred"):
        response = await api.post("/api/join", json={"join_code": CODE, "name": bad})
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["detail"][0]["loc"] == ["body", "name"]
    await joined(api, "Ada")
    again = await api.post("/api/join", json={"join_code": CODE, "name": "Ada"})
    assert again.status_code == 409


async def test_events_need_a_learner_token_and_valid_fields(api: AsyncClient) -> None:
    ada = await joined(api, "Ada")
    assert (await api.post("/api/events", json=event())).status_code == 401
    wrong = {"Authorization": "Bearer not-a-token"}
    assert (await api.post("/api/events", json=event(), headers=wrong)).status_code == 401
    assert (await api.post("/api/events", json=event(), headers=TEACHER)).status_code == 401
    bad = {**event(), "exercise": "../etc/passwd"}
    response = await api.post("/api/events", json=bad, headers=ada)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "exercise"
    forged = {**event(), "learner": "Bob"}
    assert (await api.post("/api/events", json=forged, headers=ada)).status_code == 422
    assert (await api.post("/api/events", json=event(), headers=ada)).status_code == 201


async def test_only_the_instructor_reads_the_room(api: AsyncClient) -> None:
    ada = await joined(api, "Ada")
    bob = await joined(api, "Bob")
    await api.post("/api/events", json=event(passed=False), headers=ada)
    await api.post("/api/events", json=event(passed=True), headers=bob)
    assert (await api.get("/api/learners")).status_code == 401
    assert (await api.get("/api/learners", headers=ada)).status_code == 403
    assert (await api.get("/", headers=ada)).status_code == 403
    response = await api.get("/api/learners", headers=TEACHER)
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.json()}
    assert rows["Ada"]["current_exercise"] == "ex01_users_router" and rows["Ada"]["passed"] is False
    assert rows["Bob"]["passed"] is True and rows["Ada"]["first_failure"] == "test_b"
    room = (await api.get("/api/room", headers=TEACHER)).json()
    assert room["passed_by_exercise"] == {"ex01_users_router": 1}
    assert room["failing_by_check"] == {"ex01_users_router::test_b": 1}


async def test_a_learner_posting_too_fast_is_limited(api: AsyncClient) -> None:
    ada = await joined(api, "Ada")
    statuses = [
        (await api.post("/api/events", json=event(), headers=ada)).status_code for _ in range(7)
    ]
    assert statuses == [201] * 5 + [429] * 2
    bob = await joined(api, "Bob")  # the limit is per learner
    assert (await api.post("/api/events", json=event(), headers=bob)).status_code == 201


async def test_names_are_escaped_on_the_page_and_in_the_csv(api: AsyncClient) -> None:
    evil = await joined(api, "<script>alert(1)</script>")
    formula = await joined(api, "=HYPERLINK(1)")
    await api.post("/api/events", json=event(), headers=evil)
    await api.post("/api/events", json=event(), headers=formula)
    html = (await api.get("/", headers=TEACHER)).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = (await api.get("/api/events.csv", headers=TEACHER)).text
    names = [row[1] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(names) == ["'=HYPERLINK(1)", "<script>alert(1)</script>"]


async def test_the_instructor_url_logs_the_browser_in(api: AsyncClient) -> None:
    assert (await api.get("/login", params={"token": "nope"})).status_code == 403
    response = await api.get("/login", params={"token": INSTRUCTOR})
    assert response.status_code == 303 and "fastlings_instructor" in response.headers["set-cookie"]
    assert (await api.get("/api/learners")).status_code == 200  # the cookie now
