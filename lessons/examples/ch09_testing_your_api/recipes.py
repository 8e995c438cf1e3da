"""Worked example for chapter 9: a small recipes API, the app its tests (next file) test.

    POST /recipes       {"title", "minutes", "secret_ingredient"} -> 201 {"id", "title", "minutes"}
                        422 when minutes is not between 1 and 600
    GET  /recipes/{id}  -> 200 {"id", "title", "minutes"}, or 404

The secret ingredient is stored and never returned.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

RECIPES_DATABASE_URL = os.environ.get("RECIPES_DATABASE_URL", "sqlite+aiosqlite:///./recipes.db")
recipes_engine = create_async_engine(RECIPES_DATABASE_URL)
RecipeSession = async_sessionmaker(recipes_engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Recipe(Base):
    __tablename__ = "recipes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    secret_ingredient: Mapped[str] = mapped_column(String(200))


async def get_session() -> AsyncIterator[AsyncSession]:
    async with RecipeSession() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with recipes_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield
    await recipes_engine.dispose()


class RecipeCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    minutes: int = Field(ge=1, le=600)
    secret_ingredient: str = Field(min_length=1, max_length=200)


class RecipePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    minutes: int


app = FastAPI(title="Recipes", lifespan=lifespan)


@app.post("/recipes", status_code=status.HTTP_201_CREATED, response_model=RecipePublic)
async def add_recipe(payload: RecipeCreate, session: SessionDep) -> Recipe:
    recipe = Recipe(**payload.model_dump())
    session.add(recipe)
    await session.commit()
    return recipe


@app.get("/recipes/{recipe_id}", response_model=RecipePublic)
async def read_recipe(recipe_id: int, session: SessionDep) -> Recipe:
    recipe = await session.get(Recipe, recipe_id)
    if recipe is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Recipe not found")
    return recipe
