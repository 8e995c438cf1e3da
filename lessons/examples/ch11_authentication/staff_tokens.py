"""Worked example for lessons/ch11_authentication.md §§ 11.2 and 11.4: a staff badge as a JWT.

`issue_badge` writes who (`sub`, a string) and until when (`exp`); `read_badge` lets PyJWT check
the signature with the server's key, pin the algorithm, check `exp`, and insist that both
claims are there at all.
"""

from datetime import UTC, datetime, timedelta

import jwt

BADGE_ALGORITHM = "HS256"


def issue_badge(staff_id: int, key: str, minutes: int = 15) -> str:
    issued = datetime.now(UTC)
    badge = {
        "sub": str(staff_id),  # RFC 7519: a string; PyJWT 2.10+ rejects an int on decode
        "iat": issued,
        "exp": issued + timedelta(minutes=minutes),  # PyJWT turns the datetime into a number
    }
    return jwt.encode(badge, key, algorithm=BADGE_ALGORITHM)


class BadBadge(Exception):
    """Any reason at all: the caller answers them all the same way."""


def read_badge(token: str, key: str) -> int:
    try:
        badge = jwt.decode(
            token,
            key,
            algorithms=[BADGE_ALGORITHM],  # the server's choice, never the token's header
            options={"require": ["sub", "exp"]},  # a badge without exp would never expire
        )
        return int(badge["sub"])
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise BadBadge(str(exc)) from None
