"""Gate 1: the manifest and the files agree one to one, and every derived file is fresh."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from fastlings.course.manifest import Course, lesson_path, notebook_path
from fastlings.dev.update import stale_derived
from fastlings.dev.verify.report import Report


def check_files(course: Course, report: Report) -> None:
    root = course.root
    expected: dict[str, set[Path]] = defaultdict(set)
    for entry in course.entries():
        where = entry.qualified_id
        for label, path in (
            ("starter", entry.exercise_path),
            ("solution", entry.solution_path),
            ("checks file", entry.checks_path),
        ):
            expected[label].add(path.resolve())
            if not path.is_file():
                report.breach(where, f"{label} {path.relative_to(root)} is missing")
    for chapter in course.chapters:
        lesson = lesson_path(root, chapter)
        notebook = notebook_path(root, chapter)
        expected["lesson"].add(lesson.resolve())
        expected["notebook"].add(notebook.resolve())
        if not lesson.is_file():
            report.breach(chapter.id, f"lesson {lesson.relative_to(root)} is missing")
        else:
            headings = _headings(lesson.read_text(encoding="utf-8"))
            for exercise in chapter.exercises:
                if exercise.section not in headings:
                    report.breach(
                        f"{chapter.id}/{exercise.id}",
                        f"section {exercise.section!r} is not a heading of "
                        f"{lesson.relative_to(root)}",
                    )
        if not notebook.is_file():
            report.breach(chapter.id, f"notebook {notebook.relative_to(root)} is missing")
    for where, problem in stale_derived(course):
        report.breach(where, problem)
    for extra in course.course.extra_lessons:
        expected["lesson"].add((root / "lessons" / extra).resolve())

    found = {
        "starter": _files(root / "exercises", "*.py"),
        "solution": _files(root / "solutions", "*.py"),
        "checks file": _files(root / "checks", "test_*.py"),
        "lesson": _files(root / "lessons", "*.md"),
        "notebook": _files(root / "notebooks", "*.ipynb"),
    }
    for label, paths in found.items():
        for path in sorted(paths - expected[label]):
            report.breach(
                "manifest", f"stray {label} {path.relative_to(root)}: no course.toml entry uses it"
            )


def _files(folder: Path, pattern: str) -> set[Path]:
    if not folder.is_dir():
        return set()
    return {
        p.resolve()
        for p in folder.rglob(pattern)
        if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    }


def _headings(markdown: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", markdown, re.M)}


def check_scaffold(course: Course, report: Report) -> None:
    """Name every placeholder that `fastlings dev new` wrote and that is still there."""
    from fastlings.dev.scaffold import MARKER

    root = course.root
    for entry in course.entries():
        exercise = entry.exercise
        texts = [exercise.title, exercise.section, *exercise.hints]
        if any(MARKER in text for text in texts):
            report.breach(entry.qualified_id, "course.toml: write the title, section and hints")
        for label, path in (
            ("starter", entry.exercise_path),
            ("solution", entry.solution_path),
            ("checks file", entry.checks_path),
        ):
            if path.is_file() and MARKER in path.read_text(encoding="utf-8", errors="replace"):
                report.breach(
                    entry.qualified_id, f"write the {label} {path.relative_to(root).as_posix()}"
                )
    for chapter in course.chapters:
        if MARKER in chapter.title:
            report.breach(chapter.id, "course.toml: write the chapter's title")
        lesson = lesson_path(root, chapter)
        if lesson.is_file() and MARKER in lesson.read_text(encoding="utf-8"):
            report.breach(chapter.id, f"write the lesson {lesson.relative_to(root).as_posix()}")
