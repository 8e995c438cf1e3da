"""Chapter 12, exercise 2: guard the admin routes, and keep sign-up from granting admin.

Users sign up and get an API token (the authentication is given). The admin routes list and
delete users, and nothing checks who calls them; worse, the sign-up model accepts `is_admin`.
Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch12_authorization/test_ex02_admin_router.py

Admins are made by an operator, not by the API: the checks promote a user by setting
`users.is_admin` in the database.

The lesson: lessons/ch12_authorization.md
"""

import hashlib
import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


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


# Authentication is given (chapter 11 teaches it): sign-up hands out a random API token, and
# `get_current_user` finds its owner. A random 32-byte token needs no slow hash: its SHA-256
# digest is stored, so a leaked table does not leak working tokens.
def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


bearer = HTTPBearer()  # a missing or non-Bearer Authorization header: 401


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)], db: SessionDep
) -> User:
    user = await db.scalar(select(User).where(User.token_hash == digest(credentials.credentials)))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Invalid token", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


# TODO: below this alias, write `require_admin`: a dependency that answers 403 to a logged-in
# TODO: user who is not an admin (the role is in the user's row), and lets admins through.
CurrentUser = Annotated[User, Depends(get_current_user)]


# TODO: a client must not choose its own role, and this model lets the body set it.
class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=50)
    is_admin: bool = False


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    is_admin: bool


class UserCreated(UserRead):
    token: str  # shown once, at sign-up


users = APIRouter(prefix="/users", tags=["users"])


@users.post("", status_code=status.HTTP_201_CREATED, response_model=UserCreated)
async def sign_up(payload: UserCreate, db: SessionDep) -> UserCreated:
    token = secrets.token_urlsafe(32)
    user = User(**payload.model_dump(), token_hash=digest(token))
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Username already taken") from None
    return UserCreated(id=user.id, username=user.username, is_admin=user.is_admin, token=token)


@users.get("/me", response_model=UserRead)
async def read_me(user: CurrentUser) -> User:
    return user


# TODO: nothing guards these routes: anyone, even without a token, lists and deletes users.
# TODO: Guard every route of this router at once, the ones added later included.
admin = APIRouter(prefix="/admin", tags=["admin"])


@admin.get("/users", response_model=list[UserRead])
async def list_users(db: SessionDep) -> Sequence[User]:
    return (await db.scalars(select(User).order_by(User.id))).all()


@admin.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_user(user_id: int, db: SessionDep) -> None:
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
    await db.delete(user)
    await db.commit()


app = FastAPI(title="Fastlings admin", lifespan=lifespan)
app.include_router(users)
app.include_router(admin)
