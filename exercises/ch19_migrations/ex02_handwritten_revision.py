"""Chapter 19, exercise 2: a hand-written revision that matches the models and can be undone.

Users own items. Once a project has migrations, the revisions, not the app, create and change
the schema: the database of every environment is whatever `alembic upgrade head` made it. This
module keeps the parts of such a project in sections (see exercise 1): the models, the app,
the async env.py (done), and revision 0001, written by hand. The starter's revision forgets
what the models declare, its downgrade does nothing, and the app still creates the tables
itself at start-up. Every `# TODO:` marks a place to change. Run the checks with:

    pytest checks/ch19_migrations/test_ex02_handwritten_revision.py

The lesson: lessons/ch19_migrations.md
"""

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

import sqlalchemy as sa
from alembic import context, op
from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, ForeignKey, String, pool, select
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


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))


# -- the app (app/main.py) -------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./fastlings.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


# TODO: with migrations, the schema is Alembic's job. Creating the tables here makes them
# behind Alembic's back: the first `alembic upgrade head` then fails with "table users already
# exists", and every later revision meets a schema it did not make. Start the app without
# touching the schema; only close the pool when it stops.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


class UserCreate(BaseModel):
    email: str
    name: str


class UserRead(UserCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int


class ItemCreate(BaseModel):
    title: str


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    title: str


app = FastAPI(title="Fastlings items", lifespan=lifespan)


@app.post("/users", status_code=201, response_model=UserRead)
async def create_user(body: UserCreate, db: SessionDep) -> User:
    user = User(**body.model_dump())
    db.add(user)
    await db.commit()
    return user


@app.post("/users/{user_id}/items", status_code=201, response_model=ItemRead)
async def create_item(user_id: int, body: ItemCreate, db: SessionDep) -> Item:
    item = Item(owner_id=user_id, title=body.title)
    db.add(item)
    await db.commit()
    return item


@app.get("/items", response_model=list[ItemRead])
async def list_items(db: SessionDep) -> Sequence[Item]:
    return (await db.scalars(select(Item).order_by(Item.id))).all()


# -- migrations/env.py (async, as in exercise 1) --------------------------------------------
target_metadata = Base.metadata


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    config = context.config
    connectable = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await connectable.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


# -- migrations/versions/0001_users_and_items.py ---------------------------------------------
revision = "0001_users_and_items"
down_revision = None


# TODO: compare each table with its model: which columns may be NULL, which values must be
# unique, which column refers to another table (and what happens to items when their owner is
# deleted), which column is indexed. The database only enforces what the revision creates.
def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255)),
        sa.Column("name", sa.String(length=100)),
    )
    # TODO: the models say items.owner_id refers to users (deleted with its owner) and is
    # indexed; here it is a plain integer column that may be NULL.
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer()),
        sa.Column("title", sa.String(length=200)),
    )


# TODO: a downgrade that does nothing leaves the tables behind: `alembic downgrade base`
# "succeeds", and the next upgrade fails on tables that already exist. Undo the upgrade, in
# the reverse order.
def downgrade() -> None:
    pass
