"""What only the instructor may see: the room as JSON, CSV and a live page."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy import select

from fastlings.dashboard.db import SessionDep
from fastlings.dashboard.models import Event, Learner
from fastlings.dashboard.page import fragment, page
from fastlings.dashboard.room import room
from fastlings.dashboard.schemas import LearnerOut, Room
from fastlings.dashboard.security import COOKIE, Instructor, SettingsDep, is_instructor

router = APIRouter(tags=["instructor"], dependencies=[Instructor])
login = APIRouter(tags=["instructor"])
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@login.get("/login")
async def log_in(token: Annotated[str, Query(max_length=200)], settings: SettingsDep) -> Response:
    """The `instructor_url` in dashboard.json: sets the login cookie, then shows the room."""
    if not is_instructor(token, settings):
        return HTMLResponse("Wrong instructor token.", status_code=403)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


@router.get("/api/learners")
async def learners(db: SessionDep) -> list[LearnerOut]:
    return (await room(db)).learners


@router.get("/api/room")
async def the_room(db: SessionDep) -> Room:
    return await room(db)


@router.get("/", response_class=HTMLResponse)
async def home(db: SessionDep) -> str:
    return page(await room(db))


@router.get("/fragment", response_class=HTMLResponse)
async def live_fragment(db: SessionDep) -> str:
    return fragment(await room(db))


@router.get("/api/stream", response_class=EventSourceResponse)
async def stream(request: Request) -> AsyncIterator[ServerSentEvent]:
    """One event whenever a learner posted, at most one a second; a comment keeps it alive."""
    changed: asyncio.Event = request.app.state.changed
    while True:
        try:
            await asyncio.wait_for(changed.wait(), timeout=15)
        except TimeoutError:
            yield ServerSentEvent(comment="still here")
            continue
        changed.clear()
        yield ServerSentEvent(data={"changed": True})
        await asyncio.sleep(1)


def cell(value: object) -> str:
    """A CSV field a spreadsheet shows as text: no control characters, no formula."""
    text = CONTROL.sub(" ", "" if value is None else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@router.get("/api/events.csv")
async def events_csv(db: SessionDep) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(["at", "learner", "exercise", "passed", "first_failure", "headline", "seconds"])
    rows = await db.execute(
        select(Event, Learner.name).join(Learner, Learner.id == Event.learner_id).order_by(Event.id)
    )
    for event, name in rows.all():
        writer.writerow(
            [
                cell(v)
                for v in (
                    event.at.isoformat(),
                    name,
                    event.exercise,
                    event.passed,
                    event.first_failure,
                    event.headline,
                    event.duration,
                )
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="fastlings-events.csv"'},
    )
