"""`fastlings dev update`: regenerate every derived file; `dev verify` fails when one is stale.

The derived files, each generated from the manifest or from the files the checks run:
- the code snippets in every lesson (`fastlings/dev/snippets.py`);
- the chapter map in README.md;
- the GitHub Classroom workflow, `.github/workflows/classroom.yml`;
- the course site's `mkdocs.yml`, whose navigation follows the course order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastlings.course.manifest import Course, lesson_path
from fastlings.dev.site import CONFIG_PATH, mkdocs_config
from fastlings.dev.snippets import SnippetError, render, render_readme

UPDATE = "run `fastlings dev update` to regenerate it"


@dataclass(frozen=True)
class Derived:
    path: Path
    fresh: str | None
    """The content the file should have; None when it cannot be generated (`problem` says why)."""
    problem: str | None = None
    what: str = "the file"
    """What goes stale in it, for the message."""

    @property
    def stale(self) -> bool:
        if self.fresh is None:
            return True
        current = self.path.read_text(encoding="utf-8") if self.path.is_file() else None
        return current != self.fresh


def derived_files(course: Course) -> list[Derived]:
    from fastlings.classroom import WORKFLOW_PATH, workflow

    root = course.root
    found: list[Derived] = []
    for chapter in course.chapters:
        lesson = lesson_path(root, chapter)
        if not lesson.is_file():
            continue  # a missing lesson is the file check's to report
        try:
            fresh = render(root, lesson.read_text(encoding="utf-8"))
            found.append(Derived(lesson, fresh, what="a code snippet no longer matches its file;"))
        except SnippetError as exc:
            found.append(Derived(lesson, None, str(exc)))
    readme = root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        found.append(Derived(readme, render_readme(course, text), what="the chapter map is stale;"))
    found.append(
        Derived(root / WORKFLOW_PATH, workflow(course), what="the Classroom workflow is stale;")
    )
    if (root / "docs").is_dir():
        site = Derived(root / CONFIG_PATH, mkdocs_config(course), what="the site's nav is stale;")
        found.append(site)
    return found


def stale_derived(course: Course) -> list[tuple[str, str]]:
    """(where, what) for each derived file that is not what `dev update` would write."""
    problems = []
    for item in derived_files(course):
        where = item.path.relative_to(course.root).as_posix()
        if item.problem:
            problems.append((where, item.problem))
        elif item.stale:
            problems.append((where, f"{item.what} {UPDATE}"))
    return problems


def update(course: Course) -> tuple[list[Path], list[str]]:
    """Write every stale derived file. Returns the files written and the problems left."""
    written: list[Path] = []
    problems: list[str] = []
    for item in derived_files(course):
        if item.fresh is None:
            problems.append(f"{item.path.relative_to(course.root)}: {item.problem}")
        elif item.stale:
            item.path.parent.mkdir(parents=True, exist_ok=True)
            item.path.write_text(item.fresh, encoding="utf-8")
            written.append(item.path)
    return written, problems
