"""Chapter 8, step 1: a pause that does not freeze the server.

`POST /login` slows down password guessing: after a wrong password it waits
`FAILED_LOGIN_DELAY` seconds before it answers 401. The idea is sound; the way it waits is
not. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch08_blocking_calls/test_ex00a_async_sleep.py

The lesson: lessons/ch08_blocking_calls.md
"""

import hmac
import time

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel

FAILED_LOGIN_DELAY = 1.0  # seconds a wrong password waits before its 401

# A stand-in for the users table: one account, its password in plain text (chapter 11 hashes it).
ACCOUNTS = {"ada": "correct horse battery staple"}


class Login(BaseModel):
    username: str
    password: str


class Welcome(BaseModel):
    username: str


app = FastAPI(title="Fastlings login")


@app.post("/login", response_model=Welcome)
async def login(credentials: Login) -> Welcome:
    expected = ACCOUNTS.get(credentials.username, "")
    if not hmac.compare_digest(expected.encode(), credentials.password.encode()):
        # TODO: while one wrong password waits here, the whole server waits with it: no other
        # user can log in, and one attacker sending wrong passwords freezes everybody. Keep the
        # delay (and keep reading it from FAILED_LOGIN_DELAY), but wait in a way that lets the
        # event loop serve other requests meanwhile.
        time.sleep(FAILED_LOGIN_DELAY)
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Wrong credentials")
    return Welcome(username=credentials.username)
