"""Importing learner code: a broken module is explained in a few lines that name the cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastlings.course.loader import LearnerCodeError, import_fresh

ROUTE = """
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

app = FastAPI()


class Token(BaseModel):
    access_token: str


@app.post("/token", response_model=Token)
async def login(form: {annotation}) -> Token:
    return Token(access_token="x")
"""


def broken(tmp_path: Path, source: str) -> str:
    path = tmp_path / "learner_module.py"
    path.write_text(source)
    with pytest.raises(LearnerCodeError) as raised:
        import_fresh("learner_module_under_test", path)
    return " ".join(str(raised.value).split())


def test_a_parameter_fastapi_cannot_read_is_named(tmp_path: Path) -> None:
    said = broken(tmp_path, ROUTE.format(annotation="OAuth2PasswordRequestForm"))
    assert "the parameter `form` of `login` is typed `OAuth2PasswordRequestForm`" in said
    assert "`form: Annotated[OAuth2PasswordRequestForm, Depends(...)]`" in said
    assert "learner_module.py:15" in said  # the decorator's line, where FastAPI raised


def test_a_bad_response_model_keeps_fastapis_message(tmp_path: Path) -> None:
    source = ROUTE.replace("response_model=Token", "response_model=OAuth2PasswordRequestForm")
    said = broken(
        tmp_path, source.format(annotation="Annotated[OAuth2PasswordRequestForm, Depends()]")
    )
    assert "Invalid args for response field" in said and "the parameter `" not in said


def test_a_function_in_annotated_without_depends_is_named(tmp_path: Path) -> None:
    source = ROUTE.replace("app = FastAPI()", "app = FastAPI()\n\n\nasync def get_form(): ...")
    said = broken(
        tmp_path, source.format(annotation="Annotated[OAuth2PasswordRequestForm, get_form]")
    )
    assert "typed `Annotated[OAuth2PasswordRequestForm, get_form]`" in said, said
    assert "a function in `Annotated` for a dependency only inside `Depends()`" in said, said
    assert "`form: Annotated[OAuth2PasswordRequestForm, Depends(get_form)]`" in said, said


def test_a_lookalike_of_an_injected_type_names_the_one_fastapi_injects(tmp_path: Path) -> None:
    source = (
        "from fastapi import FastAPI\nfrom starlette.background import BackgroundTask\n\n"
        "app = FastAPI()\n\n@app.post('/orders')\n"
        "async def create_order(background_tasks: BackgroundTask):\n    return {}\n"
    )
    said = broken(tmp_path, source)
    assert "typed `BackgroundTask`, which FastAPI does not inject" in said, said
    assert "`background_tasks: BackgroundTasks` (`from fastapi import BackgroundTasks`)" in said
