"""`fastlings dev new CHAPTER EXERCISE`: everything an exercise needs, as placeholders.

It writes the manifest entry, the starter, the solution, a checks file that uses the shared
fixtures, and a lesson heading (and, for a new chapter, the chapter's entry and lesson). Every
placeholder carries the marker `FASTLINGS-SCAFFOLD`, so `fastlings dev verify` names exactly
what is left to write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastlings.course.manifest import MANIFEST_NAME, Course, lesson_path

MARKER = "FASTLINGS-SCAFFOLD"
CHAPTER_ID = re.compile(r"^ch(\d\d)_[a-z0-9_]+$")
EXERCISE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(Exception):
    """The names are unusable, or a file the scaffold would write exists already."""


@dataclass
class Scaffolded:
    written: list[Path] = field(default_factory=list)
    new_chapter: bool = False


def _title(slug: str) -> str:
    words = slug.split("_")
    if re.fullmatch(r"(ch|ex)\d+[a-z]?", words[0]):
        words = words[1:]
    return " ".join(words).capitalize() or slug


def _starter(exercise_id: str) -> str:
    return f'''"""{_title(exercise_id)}: the starter. {MARKER}: write the anti-pattern it fixes."""

from fastapi import FastAPI

app = FastAPI()


# TODO: {MARKER}: say what is wrong here and what behaviour is wanted (never the code).
@app.get("/")
async def index() -> dict[str, str]:
    return {{"status": "starter"}}
'''


def _solution(exercise_id: str) -> str:
    return f'''"""{_title(exercise_id)}: the reference solution. {MARKER}: write it."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index() -> dict[str, str]:
    return {{"status": "solution"}}
'''


def _checks(chapter_id: str, exercise_id: str) -> str:
    return f'''"""Checks for {chapter_id}/{exercise_id}. {MARKER}: write behavioural checks."""

from types import ModuleType

from fastlings.testing import ClientFactory, Teach


async def test_{exercise_id}_behaves(
    module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    async with make_client(module.app) as client:
        response = await client.get("/")
    assert response.json() == {{"status": "solution"}}, teach(
        f"GET / answered {{response.json()}}.",
        "{MARKER}: replace this check with one that observes the pattern",
    )
'''


def _entry_toml(exercise_id: str, section: str) -> str:
    return f"""
[[chapters.exercises]]
id = "{exercise_id}"
title = "{MARKER}: {_title(exercise_id)}"
section = "{section}"
points = 10
hints = [
    "{MARKER}: a nudge: what is wrong, in the learner's words.",
    "{MARKER}: the API to use.",
]
failing_checks = ["test_{exercise_id}_behaves"]
"""


def new_exercise(course: Course, chapter_id: str, exercise_id: str) -> Scaffolded:
    root = course.root
    match = CHAPTER_ID.match(chapter_id)
    if not match:
        raise ScaffoldError(f"{chapter_id!r} is not a chapter id like ch14_relationships")
    if not EXERCISE_ID.match(exercise_id):
        raise ScaffoldError(f"{exercise_id!r} is not an exercise id like ex01_first_step")
    if any(e.id == exercise_id for e in course.entries()):
        raise ScaffoldError(f"an exercise called {exercise_id!r} exists already")
    chapter = next((c for c in course.chapters if c.id == chapter_id), None)
    number = int(match.group(1))
    step = len(chapter.exercises) + 1 if chapter else 1
    section = f"{number}.{step} {MARKER}: {_title(exercise_id)}"
    files = {
        root / "exercises" / chapter_id / f"{exercise_id}.py": _starter(exercise_id),
        root / "solutions" / chapter_id / f"{exercise_id}.py": _solution(exercise_id),
        root / "checks" / chapter_id / f"test_{exercise_id}.py": _checks(chapter_id, exercise_id),
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise ScaffoldError(f"{existing[0].relative_to(root)} exists already")
    done = Scaffolded(new_chapter=chapter is None)
    manifest = root / MANIFEST_NAME
    text = manifest.read_text(encoding="utf-8")
    entry = _entry_toml(exercise_id, section)
    if chapter is None:
        head = f'\n[[chapters]]\nid = "{chapter_id}"\ntitle = "{MARKER}: {_title(chapter_id)}"\n'
        text = text.rstrip("\n") + "\n" + head + entry
    else:
        text = _insert_after_chapter(text, chapter_id, entry)
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        done.written.append(path)
    manifest.write_text(text, encoding="utf-8")
    done.written.append(manifest)
    lesson = lesson_path(root, chapter) if chapter else root / "lessons" / f"{chapter_id}.md"
    lines = [] if lesson.is_file() else [f"# Chapter {number}: {MARKER}: {_title(chapter_id)}", ""]
    lines += [f"## {section}", "", f"<!-- {MARKER}: teach this step on a worked example -->", ""]
    previous = lesson.read_text(encoding="utf-8").rstrip("\n") + "\n\n" if lesson.is_file() else ""
    lesson.parent.mkdir(parents=True, exist_ok=True)
    lesson.write_text(previous + "\n".join(lines), encoding="utf-8")
    done.written.append(lesson)
    return done


def _insert_after_chapter(text: str, chapter_id: str, entry: str) -> str:
    """Put `entry` after the last exercise of `chapter_id` (before the next [[chapters]])."""
    start = re.search(rf'^id = "{re.escape(chapter_id)}"\s*$', text, re.M)
    if start is None:
        raise ScaffoldError(f"cannot find chapter {chapter_id} in {MANIFEST_NAME}")
    following = re.compile(r"^\[\[chapters\]\]\s*$", re.M).search(text, start.end())
    cut = following.start() if following else len(text)
    return text[:cut].rstrip("\n") + "\n" + entry + ("\n" + text[cut:] if following else "")
