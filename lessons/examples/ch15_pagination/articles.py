"""Worked example for chapter 15: paging through articles, newest first.

Two listings of the same table: `GET /articles` by limit and offset, with bounds, a total and a
total order; `GET /articles/feed` by keyset, with an opaque cursor.
"""

import base64
import binascii
import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./articles.db")
engine = create_async_engine(DATABASE_URL)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[dt.date] = mapped_column(index=True)  # many articles share a day


async def get_db() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_db)]


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    published_on: dt.date


class ArticlePage(BaseModel):
    items: list[ArticleRead]
    total: int
    limit: int
    offset: int


class ArticleFeed(BaseModel):
    items: list[ArticleRead]
    next_cursor: str | None


app = FastAPI(title="Articles")

# Newest first; the unique id breaks ties between articles of the same day.
NEWEST_FIRST = (Article.published_on.desc(), Article.id.desc())

PageSize = Annotated[int, Query(ge=1, le=50, description="articles per page, 1 to 50")]


@app.get("/articles", response_model=ArticlePage)
async def list_articles(
    db: SessionDep,
    limit: PageSize = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ArticlePage:
    total = await db.scalar(select(func.count()).select_from(Article))
    statement = select(Article).order_by(*NEWEST_FIRST).limit(limit).offset(offset)
    rows = (await db.scalars(statement)).all()
    items = [ArticleRead.model_validate(row) for row in rows]
    return ArticlePage(items=items, total=total or 0, limit=limit, offset=offset)


def encode_cursor(article: Article) -> str:
    """The last article's sort key, as an opaque URL-safe token."""
    key = json.dumps([article.published_on.isoformat(), article.id])
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_cursor(cursor: str) -> tuple[dt.date, int]:
    try:
        day, article_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return dt.date.fromisoformat(day), int(article_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise HTTPException(status_code=400, detail="Invalid cursor") from exc


@app.get("/articles/feed", response_model=ArticleFeed)
async def article_feed(
    db: SessionDep, limit: PageSize = 10, cursor: str | None = None
) -> ArticleFeed:
    statement = select(Article).order_by(*NEWEST_FIRST).limit(limit)
    if cursor is not None:
        # Newest first, so "after the cursor" means smaller (day, id) pairs.
        statement = statement.where(
            tuple_(Article.published_on, Article.id) < decode_cursor(cursor)
        )
    rows = (await db.scalars(statement)).all()
    next_cursor = encode_cursor(rows[-1]) if len(rows) == limit else None
    items = [ArticleRead.model_validate(row) for row in rows]
    return ArticleFeed(items=items, next_cursor=next_cursor)
