"""Workshop mode: `fastlings class workshop start 1-4` writes workshop.toml; `focus()` reads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course
from fastlings.workshop import WorkshopError, focus, select_entries, start, stop

MANIFEST = """
[course]
title = "Workshop test"
{chapters}
"""
CHAPTER = """
[[chapters]]
id = "ch{n:02d}_topic{n}"
title = "Topic {n}"

[[chapters.exercises]]
id = "ex{n:02d}_a{n}"
title = "A"
section = "{n}.1 A"
points = 10
hints = ["one", "two"]
failing_checks = ["test_a"]

[[chapters.exercises]]
id = "ex{n:02d}_b{n}"
title = "B"
section = "{n}.2 B"
points = 5
hints = ["one", "two"]
failing_checks = ["test_b"]
"""


@pytest.fixture
def course_root(tmp_path: Path) -> Path:
    chapters = "".join(CHAPTER.format(n=n) for n in range(1, 7))
    (tmp_path / "course.toml").write_text(MANIFEST.format(chapters=chapters), encoding="utf-8")
    return tmp_path


def ids(entries: list[object]) -> list[str]:
    return [e.exercise.id for e in entries]  # type: ignore[attr-defined]


def test_without_a_workshop_file_the_whole_course_is_in_focus(course_root: Path) -> None:
    course = load_course(course_root)
    assert ids(focus(course)) == ids(course.entries())


def test_start_focuses_on_the_named_chapters_in_manifest_order(course_root: Path) -> None:
    course = load_course(course_root)
    path = start(course, "3,1-2", title="Day 1")
    text = path.read_text(encoding="utf-8")
    assert 'chapters = ["ch01_topic1", "ch02_topic2", "ch03_topic3"]' in text
    assert ids(focus(course)) == [
        "ex01_a1", "ex01_b1", "ex02_a2", "ex02_b2", "ex03_a3", "ex03_b3",
    ]  # fmt: skip
    assert stop(course) and ids(focus(course)) == ids(course.entries())


def test_selections_accept_numbers_ranges_and_ids(course_root: Path) -> None:
    course = load_course(course_root)
    assert ids(select_entries(course, "ex05_b5, ch02_topic2")) == ["ex02_a2", "ex02_b2", "ex05_b5"]
    assert ids(select_entries(course, "6")) == ["ex06_a6", "ex06_b6"]
    for bad in ("7-9", "4-2", "ex99_nope", " , "):
        with pytest.raises(WorkshopError):
            select_entries(course, bad)


def test_a_broken_or_stale_workshop_file_never_hides_the_course(course_root: Path) -> None:
    course = load_course(course_root)
    (course_root / "workshop.toml").write_text('[workshop]\nchapters = ["ch42_gone"]\n')
    assert ids(focus(course)) == ids(course.entries())
    (course_root / "workshop.toml").write_text("not toml = = =")
    assert ids(focus(course)) == ids(course.entries())


def test_the_workshop_commands(course_root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from fastlings.cli import main; main()", *args],
            cwd=course_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    done = cli("class", "workshop", "start", "1-4")
    assert done.returncode == 0 and "8 exercise(s) in focus" in done.stdout, done.stderr
    status = cli("class", "workshop", "status")
    assert status.stdout.split()[1:] == [f"ch0{n}_topic{n}" for n in range(1, 5)]
    assert cli("class", "workshop", "start", "9").returncode == 2
    assert "workshop mode off" in cli("class", "workshop", "stop").stdout
    assert "whole course" in cli("class", "workshop", "status").stdout
