"""Worked example for chapter 20: a small library that owns its settings and resources.

Settings come from `Depends(get_settings)` and are built on first use; the lifespan creates
the database engine and the catalogue client at start-up and releases both at shutdown.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Annotated, cast

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class LibrarySettings(BaseSettings):
    """LIBRARY_CATALOG_URL, LIBRARY_READ_ONLY and DATABASE_URL, or these defaults."""

    model_config = SettingsConfigDict(env_prefix="LIBRARY_")

    catalog_url: str = "https://catalog.example.org"
    read_only: bool = False
    database_url: str = Field("sqlite+aiosqlite:///./library.db", validation_alias="DATABASE_URL")


@lru_cache
def get_settings() -> LibrarySettings:
    return LibrarySettings()


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    title: Mapped[str] = mapped_column(String(200))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    config = get_settings()  # read now, at start-up: not when the module was imported
    books_engine = create_async_engine(config.database_url)
    try:
        async with books_engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        app.state.books_sessions = async_sessionmaker(books_engine, expire_on_commit=False)
        async with httpx.AsyncClient(base_url=config.catalog_url, timeout=3.0) as catalog:
            app.state.catalog = catalog
            yield  # the app serves requests here
    finally:
        await books_engine.dispose()  # closes every pooled connection


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    make_session = cast(async_sessionmaker[AsyncSession], request.app.state.books_sessions)
    async with make_session() as session:
        yield session


def get_catalog(request: Request) -> httpx.AsyncClient:
    return cast(httpx.AsyncClient, request.app.state.catalog)


Config = Annotated[LibrarySettings, Depends(get_settings)]
Session = Annotated[AsyncSession, Depends(get_session)]
Catalog = Annotated[httpx.AsyncClient, Depends(get_catalog)]


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    isbn: str
    title: str


app = FastAPI(title="Library", lifespan=lifespan)


@app.post("/books/{isbn}", status_code=status.HTTP_201_CREATED, response_model=BookRead)
async def add_book(isbn: str, config: Config, session: Session, catalog: Catalog) -> Book:
    if config.read_only:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The library is read-only")
    found = await catalog.get(f"/isbn/{isbn}")
    if found.status_code == 404:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown ISBN")
    found.raise_for_status()
    book = Book(isbn=isbn, title=found.json()["title"])
    session.add(book)
    await session.commit()
    return book
