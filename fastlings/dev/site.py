"""The course site: `mkdocs.yml`, generated from the manifest so the navigation follows the
course order. `docs/` holds links to the README, the lessons and the notebooks (which
mkdocs-jupyter renders from their stored outputs). Serve it with `mkdocs serve`.
"""

from __future__ import annotations

import json

from fastlings.course.manifest import Course

CONFIG_PATH = "mkdocs.yml"

HEADER = """\
# GENERATED from course.toml by `fastlings dev update`: do not edit by hand.
# `mkdocs serve` shows the course site locally; `mkdocs build --strict` runs in CI.
site_name: {title}
docs_dir: docs
site_dir: site
theme:
  name: material
  features:
    - navigation.sections
    - content.code.copy
markdown_extensions:
  - admonition
  - tables
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
plugins:
  - search
  - mkdocs-jupyter:
      execute: false
      include_source: true
"""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string


def mkdocs_config(course: Course) -> str:
    lines = [HEADER.format(title=_q("Fastlings")).rstrip("\n"), "nav:", "  - Home: index.md"]
    for chapter in course.chapters:
        lines.append(f"  - {_q(f'{chapter.number}. {chapter.title}')}:")
        lines.append(f"      - Lesson: lessons/{chapter.id}.md")
        lines.append(f"      - Notebook: notebooks/{chapter.id}.ipynb")
    for extra in course.course.extra_lessons:
        title = extra.removesuffix(".md").replace("_", " ").capitalize()
        lines.append(f"  - {_q(title)}: lessons/{extra}")
    lines.append("  - Contributing: CONTRIBUTING.md")
    return "\n".join(lines) + "\n"
