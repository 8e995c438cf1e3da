"""Chapter 16, exercise 2: the reference solution.

`name` and `email` may be left out of a PATCH, but not sent as null: a validator on them runs
only on values that were sent, so `{"name": null}` is a 422 while `{}` is fine. `phone` and
`note` are nullable, and null clears them.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
from sqlalchemy import String, Text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))  # NOT NULL
    email: Mapped[str] = mapped_column(String(254))  # NOT NULL
    phone: Mapped[str | None] = mapped_column(String(30))  # may be cleared
    note: Mapped[str | None] = mapped_column(Text)  # may be cleared


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


Name = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(min_length=3, max_length=30)]
Note = Annotated[str, Field(max_length=2000)]


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str
    phone: str | None
    note: str | None


class ContactUpdate(BaseModel):
    """PATCH body: every field may be left out."""

    name: Name | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    note: Note | None = None

    # A validator runs on values that were SENT, never on the defaults: leaving `name` out is
    # fine, sending `"name": null` is a 422. phone and note have no such rule: null clears them.
    @field_validator("name", "email")
    @classmethod
    def not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


app = FastAPI(title="Fastlings contacts", lifespan=lifespan)


async def get_contact(contact_id: int, db: AsyncSession) -> Contact:
    contact = await db.get(Contact, contact_id)
    if contact is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Contact not found")
    return contact


@app.get("/contacts/{contact_id}", response_model=ContactRead)
async def read_contact(contact_id: int, db: SessionDep) -> Contact:
    return await get_contact(contact_id, db)


@app.patch("/contacts/{contact_id}", response_model=ContactRead)
async def update_contact(contact_id: int, payload: ContactUpdate, db: SessionDep) -> Contact:
    contact = await get_contact(contact_id, db)
    # exclude_unset: only the fields the client sent. An explicit null is sent (and clears
    # the field); a field left out is not in the dict (and keeps its value).
    for field, value in payload.model_dump(exclude_unset=True).items():
        setattr(contact, field, value)
    await db.commit()
    return contact
