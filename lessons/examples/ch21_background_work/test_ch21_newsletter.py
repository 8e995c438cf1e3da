"""Tests of the chapter 21 worked example: after the response, own session, logged failures."""

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.types import Message, Receive, Scope, Send

from lessons.examples.ch21_background_work import newsletter


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    application = newsletter.make_app(f"sqlite+aiosqlite:///{tmp_path / 'news.db'}")
    async with application.router.lifespan_context(application):
        yield application


async def deliveries(app: FastAPI) -> list[str]:
    async with app.state.session_factory() as session:
        return list((await session.scalars(select(newsletter.Delivery.outcome))).all())


async def test_response_leaves_before_the_mail_is_sent(app: FastAPI) -> None:
    sent_at: list[float] = []

    async def note_when_sent(scope: Scope, receive: Receive, send: Send) -> None:
        async def timed(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body":
                sent_at.append(time.perf_counter())

        await app(scope, receive, timed)

    transport = ASGITransport(app=note_when_sent)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        await client.post("/subscribers", json={})  # warm up with a 422: no mail
        start = time.perf_counter()
        response = await client.post("/subscribers", json={"address": "ada@example.com"})
        finished = time.perf_counter() - start  # ASGITransport waits for background jobs
    assert response.status_code == 201
    answered = sent_at[-1] - start
    assert answered < finished / 2  # the response left long before the job was done
    assert finished >= newsletter.MAIL_SECONDS  # and the job did run, after the response
    assert await deliveries(app) == ["delivered"]


async def test_refused_mail_is_logged_and_recorded(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.post("/subscribers", json={"address": "bob@mail.invalid"})
    assert response.status_code == 201  # the sign-up itself succeeded
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None  # the traceback travels with the record
    assert f"subscriber {response.json()['id']}" in record.getMessage()
    assert await deliveries(app) == ["refused"]
