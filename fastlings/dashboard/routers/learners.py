"""What learners may do: join with the room's code, then post events about their own runs."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select

from fastlings.dashboard.db import SessionDep
from fastlings.dashboard.models import Event, Learner
from fastlings.dashboard.schemas import EventIn, EventOut, JoinIn, JoinOut
from fastlings.dashboard.security import (
    RateLimitedLearner,
    SettingsDep,
    new_token,
    token_hash,
)

router = APIRouter(prefix="/api", tags=["learners"])


@router.post("/join", status_code=status.HTTP_201_CREATED)
async def join(payload: JoinIn, db: SessionDep, settings: SettingsDep) -> JoinOut:
    if not hmac.compare_digest(payload.join_code.encode(), settings.join_code.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Wrong join code")
    taken = await db.scalar(select(Learner.id).where(Learner.name == payload.name))
    if taken is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="That name is taken in this room")
    token = new_token()
    db.add(Learner(name=payload.name, token_hash=token_hash(token)))
    await db.commit()
    return JoinOut(name=payload.name, token=token)


@router.post("/events", status_code=status.HTTP_201_CREATED)
async def post_event(
    payload: EventIn, learner: RateLimitedLearner, db: SessionDep, request: Request
) -> EventOut:
    """One run of the learner's own loop; the learner comes from the token, never the body."""
    event = Event(learner_id=learner.id, **payload.model_dump())
    db.add(event)
    await db.commit()
    request.app.state.changed.set()
    return EventOut(id=event.id, at=event.at)
