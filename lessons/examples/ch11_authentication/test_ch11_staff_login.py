import statistics
import time

import httpx
import jwt
import pytest

from lessons.examples.ch11_authentication import staff_login


@pytest.fixture(autouse=True, scope="module")
def lin() -> None:
    staff_login.add_staff(301, "lin@bookshop.example", "a long staff secret")


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=staff_login.app)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_login_then_read_own_account() -> None:
    async with client() as http:
        form = {"username": "lin@bookshop.example", "password": "a long staff secret"}
        badge = (await http.post("/login", data=form)).json()["access_token"]
        me = await http.get("/staff/me", headers={"Authorization": f"Bearer {badge}"})
    assert me.json() == {"email": "lin@bookshop.example"}


async def test_unknown_email_and_wrong_password_look_and_take_alike() -> None:
    async with client() as http:
        times: dict[str, list[float]] = {"wrong": [], "unknown": []}
        answers = {}
        for _ in range(3):
            for label, email in [("wrong", "lin@bookshop.example"), ("unknown", "x@example")]:
                started = time.perf_counter()
                answer = await http.post("/login", data={"username": email, "password": "nope"})
                times[label].append(time.perf_counter() - started)
                answers[label] = (answer.status_code, answer.text)
    assert answers["wrong"] == answers["unknown"] == (401, '{"detail":"Wrong email or password"}')
    ratio = statistics.median(times["unknown"]) / statistics.median(times["wrong"])
    assert 0.5 < ratio < 2


async def test_a_badge_without_exp_is_refused() -> None:
    forever = jwt.encode({"sub": "301"}, staff_login.badge_key(), algorithm="HS256")
    async with client() as http:
        me = await http.get("/staff/me", headers={"Authorization": f"Bearer {forever}"})
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == "Bearer"
