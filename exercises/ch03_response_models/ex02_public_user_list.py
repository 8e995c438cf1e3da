"""Chapter 3, exercise 2: a list route, and why `exclude` is not enough.

This app has one model for the whole row, password hash included, and asks each route to leave
the hash out with `response_model_exclude`. Create and read do hide it. The list route asks for
the same exclusion, yet `GET /users` sends every user's hash. And OpenAPI documents
`password_hash` on all three. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch03_response_models/test_ex02_public_user_list.py

The lesson: lessons/ch03_response_models.md
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pwdlib import PasswordHash
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import DateTime, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
password_hasher = PasswordHash.recommended()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Create the tables when the app starts; close the pool when it stops."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=128)


# TODO: a model of the whole row, secret included, that every route must remember to trim.
#   Describe what a client may see instead (id, email, name, created_at).
class UserRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    password_hash: str  # TODO: the secret every route must remember to leave out
    created_at: datetime


router = APIRouter(prefix="/users", tags=["users"])


# TODO: this route documents password_hash in OpenAPI, even though it leaves the value out.
@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRecord,
    response_model_exclude={"password_hash"},
)
async def create_user(payload: UserCreate, db: SessionDep) -> User:
    user = User(
        email=payload.email,
        name=payload.name,
        password_hash=password_hasher.hash(payload.password),
    )
    db.add(user)
    await db.commit()
    await db.refresh(user)
    return user


# TODO: and so does this one.
@router.get("/{user_id}", response_model=UserRecord, response_model_exclude={"password_hash"})
async def read_user(user_id: int, db: SessionDep) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    return user


# TODO: this list sends every user's hash: the exclusion does not reach into the items.
@router.get("", response_model=list[UserRecord], response_model_exclude={"password_hash"})
async def list_users(db: SessionDep) -> Sequence[User]:
    result = await db.scalars(select(User).order_by(User.id))
    return result.all()


app = FastAPI(title="Fastlings users", lifespan=lifespan)
app.include_router(router)
