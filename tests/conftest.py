"""A tiny course for the tooling's tests: chapter 1 of the real course, plus a copy of its
exercise under a second id (so "move on to the next exercise" can be seen), in a git repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course

pytest_plugins = ["pytester"]

REAL_ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "ch01_endpoint_structure"
FIRST = "ex01_users_router"
SECOND = "ex02_users_router_again"
FASTLINGS = [sys.executable, "-m", "fastlings"]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # JSON strings are TOML basic strings
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


def manifest_text(partial_credit: bool = False) -> str:
    real = load_course(REAL_ROOT)
    chapter = next(c for c in real.chapters if c.id == CHAPTER)
    exercise = next(e for e in chapter.exercises if e.id == FIRST)
    lines = [
        "[course]",
        f"title = {_toml('Fixture course')}",
        "",
        "[[chapters]]",
        f"id = {_toml(chapter.id)}",
        f"title = {_toml(chapter.title)}",
    ]
    for ident in (FIRST, SECOND):
        lines += [
            "",
            "[[chapters.exercises]]",
            f"id = {_toml(ident)}",
            f"title = {_toml(exercise.title)}",
            f"section = {_toml(exercise.section)}",
            f"points = {exercise.points}",
            f"hints = {_toml(list(exercise.hints))}",
            f"failing_checks = {_toml(list(exercise.failing_checks))}",
        ]
        if partial_credit:
            lines.append("partial_credit = true")
    return "\n".join(lines) + "\n"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )
    return done.stdout


def build_course(root: Path, *, with_git: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL_ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "course.toml").write_text(manifest_text(), encoding="utf-8")
    (root / ".gitignore").write_text(".fastlings/\n__pycache__/\nfastlings.db\n")
    for folder in ("exercises", "solutions"):
        (root / folder / CHAPTER).mkdir(parents=True)
        for ident in (FIRST, SECOND):
            shutil.copy(
                REAL_ROOT / folder / CHAPTER / f"{FIRST}.py",
                root / folder / CHAPTER / f"{ident}.py",
            )
    (root / "checks" / CHAPTER).mkdir(parents=True)
    for helper in (REAL_ROOT / "checks" / CHAPTER).glob("*.py"):  # the chapter's shared helpers
        if not helper.name.startswith("test_"):
            shutil.copy(helper, root / "checks" / CHAPTER / helper.name)
    for ident in (FIRST, SECOND):
        shutil.copy(
            REAL_ROOT / "checks" / CHAPTER / f"test_{FIRST}.py",
            root / "checks" / CHAPTER / f"test_{ident}.py",
        )
    for folder, suffix in (("lessons", ".md"), ("notebooks", ".ipynb")):
        (root / folder).mkdir()
        shutil.copy(REAL_ROOT / folder / f"{CHAPTER}{suffix}", root / folder / f"{CHAPTER}{suffix}")
    if with_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "course")
    return root


@pytest.fixture(scope="session")
def course_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_course(tmp_path_factory.mktemp("template") / "course")


@pytest.fixture
def course(course_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the fixture course (a git checkout) for one test."""
    root = tmp_path / "course"
    shutil.copytree(course_template, root, symlinks=True)
    yield root


def exercise_file(root: Path, ident: str = FIRST) -> Path:
    return root / "exercises" / CHAPTER / f"{ident}.py"


def solution_file(root: Path, ident: str = FIRST) -> Path:
    return root / "solutions" / CHAPTER / f"{ident}.py"


def run_cli(
    root: Path, *args: str, input: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("FASTLINGS_ROOT", None)
    return subprocess.run(
        [*FASTLINGS, *args],
        cwd=root,
        capture_output=True,
        text=True,
        input=input if input is not None else "",
        timeout=timeout,
        env=env,
        check=False,
    )


def flat(text: str) -> str:
    """Output without panel borders and line breaks, for phrase matching."""
    for char in "│╭╮╰╯─":
        text = text.replace(char, " ")
    return " ".join(text.split())


# -- the plugin's and verify's tests use an even smaller course, `fixture_course/` -----------
collect_ignore = ["fixture_course"]
TINY_COURSE = Path(__file__).parent / "fixture_course"


@pytest.fixture
def tiny_course(pytester: pytest.Pytester) -> Path:
    """A fresh copy of the one-exercise `fixture_course/`, as the pytester folder (and cwd)."""
    shutil.copytree(TINY_COURSE, pytester.path, dirs_exist_ok=True)
    return pytester.path
