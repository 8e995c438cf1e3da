"""Chapter 19, exercise 2: the reference solution.

Revision 0001 creates what the models declare (NOT NULL columns, the unique email, the foreign
key with ON DELETE CASCADE, the index on `owner_id`) and its downgrade drops it in reverse
order. The app no longer creates tables: its schema comes from `alembic upgrade head`.
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


# The schema comes from `alembic upgrade head` (run before the app starts, e.g. in the deploy
# step); the app only opens and closes its pool.
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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


def upgrade() -> None:
    # Written to match the models exactly: `alembic check` (autogenerate's comparison) finds
    # nothing to add after this revision.
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # op.f() marks the name as final: the naming convention is not applied to it again.
    op.create_index(op.f("ix_items_owner_id"), "items", ["owner_id"], unique=False)


def downgrade() -> None:
    # The upgrade, undone in reverse: the index, then the table that refers to users, then users.
    op.drop_index(op.f("ix_items_owner_id"), table_name="items")
    op.drop_table("items")
    op.drop_table("users")
