"""Chapter 8, step 1: the reference solution.

A wrong password still waits `FAILED_LOGIN_DELAY` seconds, but it waits with
`await asyncio.sleep`: the event loop serves every other request meanwhile.
"""

import asyncio
import hmac

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
        # Awaited: this request waits, the loop does not.
        await asyncio.sleep(FAILED_LOGIN_DELAY)
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Wrong credentials")
    return Welcome(username=credentials.username)
