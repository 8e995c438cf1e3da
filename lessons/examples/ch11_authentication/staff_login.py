"""Worked example for lessons/ch11_authentication.md §§ 11.3 and 11.4: a staff login API.

`POST /login` reads the OAuth2 password form and refuses an unknown email and a wrong password
with the same 401, after the same amount of work; `GET /staff/me` reads the badge from
`Authorization: Bearer ...`. Accounts live in a dict to keep the example short.
"""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel

from lessons.examples.ch11_authentication.staff_passwords import StaffAccount, enrol, staff_hasher
from lessons.examples.ch11_authentication.staff_tokens import BadBadge, issue_badge, read_badge

ACCOUNTS: dict[str, StaffAccount] = {}
STAFF_IDS: dict[str, int] = {}


def badge_key() -> str:
    """A dependency, so that tests (and the lesson's checks) can swap the key."""
    return "bookshop-example-key-0123456789abcdef-0123"


KeyDep = Annotated[str, Depends(badge_key)]


@lru_cache
def decoy_hash() -> str:
    """Made once, by the same hasher: checking a password against it costs what a real one does."""
    return staff_hasher.hash("no staff member has this secret")


class Badge(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)


app = FastAPI(title="Bookshop staff")


@app.post("/login")
async def log_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], key: KeyDep) -> Badge:
    account = ACCOUNTS.get(form.username)
    # The same work whether or not the account exists: the clock must not tell.
    known_hash = account.secret_hash if account else decoy_hash()
    matches = await run_in_threadpool(staff_hasher.verify, form.password, known_hash)
    if account is None or not matches:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Wrong email or password",  # the same words for both failures
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Badge(access_token=issue_badge(STAFF_IDS[account.email], key))


bearer = OAuth2PasswordBearer(tokenUrl="login")


async def current_staff(token: Annotated[str, Depends(bearer)], key: KeyDep) -> StaffAccount:
    refuse = HTTPException(
        status.HTTP_401_UNAUTHORIZED, "Log in again", headers={"WWW-Authenticate": "Bearer"}
    )
    try:
        staff_id = read_badge(token, key)
    except BadBadge:
        raise refuse from None
    found = [a for email, a in ACCOUNTS.items() if STAFF_IDS[email] == staff_id]
    if not found:  # a good badge for an account that was closed
        raise refuse
    return found[0]


@app.get("/staff/me")
async def read_own_account(me: Annotated[StaffAccount, Depends(current_staff)]) -> dict[str, str]:
    return {"email": me.email}


def add_staff(staff_id: int, email: str, secret: str) -> None:
    ACCOUNTS[email] = enrol(email, secret)
    STAFF_IDS[email] = staff_id
