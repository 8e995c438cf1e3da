"""Worked example for chapter 18: a help desk whose pool stays healthy under load.

`POST /tickets` files a ticket after a spam check (a slow call to another service);
`POST /tickets/{id}/escalate` reads a ticket, pages the on-call engineer (another slow call) and
marks the ticket escalated; `GET /tickets/{id}` reads one. The pool is bounded, no connection is
held during a slow call, and every session is closed on every path.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./tickets.db")

# 3 connections kept open, 1 more under load: never more than 4 on the server. A request that
# finds all 4 busy waits up to 3 s, then gets sqlalchemy.exc.TimeoutError.
engine = create_async_engine(DATABASE_URL, pool_size=3, max_overflow=1, pool_timeout=3)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)

SLOW_CALL = 0.05  # seconds each call to another service takes in this example


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    escalated: Mapped[bool] = mapped_column(default=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    # Closed however the request ends: a return, an HTTPException thrown in at `yield`, a bug.
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


async def looks_like_spam(subject: str) -> bool:
    """The spam-check service (a stand-in that takes as long as a network call)."""
    await asyncio.sleep(SLOW_CALL)
    return "free money" in subject.lower()


async def page_on_call(ticket_id: int) -> None:
    """The paging service (a stand-in, as slow as the real one)."""
    await asyncio.sleep(SLOW_CALL)


class TicketCreate(BaseModel):
    subject: str = Field(min_length=1, max_length=200)


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    escalated: bool


app = FastAPI(title="Help desk", lifespan=lifespan)


@app.post("/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketRead)
async def file_ticket(payload: TicketCreate, db: SessionDep) -> Ticket:
    # The slow call comes first: the session has not touched the database yet, so it holds
    # no connection while it waits.
    if await looks_like_spam(payload.subject):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Looks like spam")
    ticket = Ticket(subject=payload.subject)
    db.add(ticket)
    await db.commit()
    return ticket


async def load_ticket(db: AsyncSession, ticket_id: int) -> Ticket:
    ticket = await db.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Ticket not found")
    return ticket


@app.get("/tickets/{ticket_id}", response_model=TicketRead)
async def read_ticket(ticket_id: int, db: SessionDep) -> Ticket:
    return await load_ticket(db, ticket_id)


@app.post("/tickets/{ticket_id}/escalate", response_model=TicketRead)
async def escalate(ticket_id: int, db: SessionDep) -> Ticket:
    ticket = await load_ticket(db, ticket_id)
    # The read needs data before the slow call; its transaction ends here, which gives the
    # connection back. The session checks one out again for the UPDATE.
    await db.commit()
    await page_on_call(ticket.id)
    ticket.escalated = True
    await db.commit()
    return ticket
