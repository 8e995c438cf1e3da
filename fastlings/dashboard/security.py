"""Who is asking: a learner's bearer token, or the instructor's (header or login cookie).

Learner tokens are random and stored only as SHA-256 hashes; the instructor token is compared
in constant time. Each role is one dependency, so a route says what it needs in its signature.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Cookie, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from fastlings.dashboard.db import SessionDep
from fastlings.dashboard.models import Learner
from fastlings.dashboard.settings import Settings, get_settings

COOKIE = "fastlings_instructor"
bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unauthorized(what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=what, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_learner(credentials: Credentials, db: SessionDep) -> Learner:
    if credentials is None:
        raise _unauthorized("Send your learner token: Authorization: Bearer <token>")
    found = await db.scalar(
        select(Learner).where(Learner.token_hash == token_hash(credentials.credentials))
    )
    if found is None:
        raise _unauthorized("Unknown learner token: join again with `fastlings class join`")
    return found


def is_instructor(token: str | None, settings: Settings) -> bool:
    return token is not None and hmac.compare_digest(
        token.encode(), settings.instructor_token.encode()
    )


async def instructor(
    credentials: Credentials,
    settings: SettingsDep,
    fastlings_instructor: Annotated[str | None, Cookie()] = None,
) -> None:
    token = credentials.credentials if credentials else fastlings_instructor
    if token is None:
        raise _unauthorized("This needs the instructor token")
    if not is_instructor(token, settings):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Only the instructor may see this")


CurrentLearner = Annotated[Learner, Depends(current_learner)]
Instructor = Depends(instructor)


class RateLimit:
    """At most `per_minute` events per learner in any 60 s window."""

    def __init__(self) -> None:
        self.seen: dict[int, deque[float]] = defaultdict(deque)

    def allow(self, learner_id: int, per_minute: int) -> bool:
        now = time.monotonic()
        window = self.seen[learner_id]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= per_minute:
            return False
        window.append(now)
        return True


def rate_limited(request: Request, learner: CurrentLearner, settings: SettingsDep) -> Learner:
    limiter: RateLimit = request.app.state.rate_limit
    if not limiter.allow(learner.id, settings.events_per_minute):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"At most {settings.events_per_minute} events a minute per learner",
            headers={"Retry-After": "10"},
        )
    return learner


RateLimitedLearner = Annotated[Learner, Depends(rate_limited)]
