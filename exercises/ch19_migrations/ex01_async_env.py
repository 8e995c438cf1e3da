"""Chapter 19, exercise 1: an Alembic environment that runs on the async driver.

A project with Alembic has `alembic.ini`, `migrations/env.py` (how Alembic connects) and one
file per revision in `migrations/versions/`. The course keeps the three parts of this exercise
in this one module, in sections; the checks assemble the folder from it (the env.py they write
calls `run_migrations_online()` below, and the revision file re-exports `revision`,
`down_revision`, `upgrade` and `downgrade`). Inside the functions, `context` is Alembic's
environment, as in a real env.py; it exists only while Alembic runs, so use it only there.
The app section is given: it never creates tables, so it works only on a database that
`alembic upgrade head` has made.

The environment below is what `alembic init` writes: a synchronous engine. The app's database
URL is `sqlite+aiosqlite://...` or `postgresql+asyncpg://...`, so the first `alembic upgrade
head` fails with `MissingGreenlet: greenlet_spawn has not been called`, and autogenerate knows
no models. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch19_migrations/test_ex01_async_env.py

The lesson: lessons/ch19_migrations.md
"""

import os
from collections.abc import AsyncIterator
from typing import Annotated

import sqlalchemy as sa
from alembic import context, op
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, engine_from_config, pool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
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
# TODO: autogenerate compares the database with this metadata; None means "no models", so
# `alembic check` and `alembic revision --autogenerate` cannot see what the models declare.
target_metadata = None


# TODO: `engine_from_config` builds a synchronous Engine, and `connect()` on it calls the async
# driver without an event loop: MissingGreenlet. Build an async engine from the same config
# section, connect with `async with`, run the migrations through the connection's `run_sync`,
# and drive the whole thing with `asyncio.run` (Alembic itself calls this function
# synchronously).
def run_migrations_online() -> None:
    config = context.config
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    # TODO: this synchronous connection is where MissingGreenlet is raised.
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


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
