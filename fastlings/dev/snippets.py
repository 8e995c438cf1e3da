"""Code in lessons is copied from the files the checks run, never typed by hand.

A lesson marks a snippet with an HTML comment naming a file and top-level symbols, followed by
a fenced block:

    <!-- snippet: solutions/ch01_endpoint_structure/ex01_users_router.py create_user -->
    ```python
    (the source of create_user, decorators included)
    ```

The README's chapter table between `<!-- chapter-map -->` markers is generated from the
manifest the same way. `fastlings dev update` refreshes every block; `fastlings dev verify`
fails when one is stale.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastlings.course.manifest import Course, lesson_path, notebook_path

MARKER = re.compile(
    r"(?P<marker><!-- snippet: (?P<file>\S+)(?P<names>(?: [A-Za-z_][A-Za-z0-9_]*)+) -->\n)"
    r"```(?P<lang>[a-z]*)\n(?P<code>.*?)```",
    re.S,
)


CHAPTER_MAP = re.compile(r"(<!-- chapter-map -->\n)(.*?)(<!-- /chapter-map -->)", re.S)


class SnippetError(Exception):
    pass


def chapter_map(course: Course) -> str:
    """The README's chapter table, generated from the manifest."""
    rows = ["| # | Chapter | Exercises | Lesson | Notebook |", "|---|---|---|---|---|"]
    for chapter in course.chapters:
        exercises = ", ".join(f"`{e.id}`" for e in chapter.exercises)
        lesson = lesson_path(course.root, chapter).relative_to(course.root).as_posix()
        notebook = notebook_path(course.root, chapter).relative_to(course.root).as_posix()
        rows.append(
            f"| {chapter.number} | {chapter.title} | {exercises} | [{lesson}]({lesson}) "
            f"| [{notebook}]({notebook}) |"
        )
    return "\n".join(rows) + "\n"


def render_readme(course: Course, text: str) -> str:
    return CHAPTER_MAP.sub(lambda m: m[1] + chapter_map(course) + m[3], text)


def extract(path: Path, names: list[str]) -> str:
    """The source of the named top-level definitions of `path`, in the order asked."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    found: dict[str, str] = {}
    for node in tree.body:
        for name in _names(node):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            found[name] = "\n".join(lines[start - 1 : node.end_lineno])
    missing = [name for name in names if name not in found]
    if missing:
        raise SnippetError(f"{path}: no top-level {', '.join(missing)}")
    return "\n\n".join(found[name] for name in names) + "\n"


def _names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def render(root: Path, markdown: str) -> str:
    """The markdown with every snippet block refreshed from its file."""

    def replace(match: re.Match[str]) -> str:
        path = root / match["file"]
        if not path.is_file():
            raise SnippetError(f"snippet file {match['file']} does not exist")
        code = extract(path, match["names"].split())
        return f"{match['marker']}```{match['lang'] or 'python'}\n{code}```"

    return MARKER.sub(replace, markdown)
