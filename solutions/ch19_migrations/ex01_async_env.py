"""Chapter 19, exercise 1: the reference solution.

The environment of `alembic init -t async`: an AsyncEngine from the config section, a
connection opened with `async with`, and the synchronous migration code run on it through
`run_sync`, all inside `asyncio.run`. `target_metadata` is the models' metadata, so that
autogenerate and `alembic check` compare the database with them.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Annotated

import sqlalchemy as sa
from alembic import context, op
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, String, pool
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_engine_from_config,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


# -- the models (app/models.py) ------------------------------------------------------------
class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))


# -- the app (app/main.py): given; its schema is whatever the migrations below make ---------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class UserCreate(BaseModel):
    email: str
    name: str


class UserRead(UserCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


app = FastAPI(title="Fastlings users")


@app.post("/users", status_code=201, response_model=UserRead)
async def create_user(body: UserCreate, db: SessionDep) -> User:
    user = User(**body.model_dump())
    db.add(user)
    await db.commit()
    return user


@app.get("/users/{user_id}", response_model=UserRead)
async def read_user(user_id: int, db: SessionDep) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


# -- migrations/env.py -------------------------------------------------------------------------
target_metadata = Base.metadata  # what autogenerate and `alembic check` compare against


def do_run_migrations(connection: Connection) -> None:
    """The synchronous part: Alembic's operations run on a (sync-facing) connection."""
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    config = context.config
    connectable = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,  # one connection for one run; nothing to keep
    )
    async with connectable.connect() as connection:
        # run_sync hands the connection to sync code inside a greenlet: the driver's awaits work
        await connection.run_sync(do_run_migrations)
    await connectable.dispose()


def run_migrations_online() -> None:
    """Alembic calls this synchronously; the async work gets its own event loop."""
    asyncio.run(run_async_migrations())


# -- migrations/versions/0001_create_users.py ------------------------------------------------
revision = "0001_create_users"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )


def downgrade() -> None:
    op.drop_table("users")
