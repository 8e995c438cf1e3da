"""Find an exercise from what the learner typed, or say which names come closest."""

from __future__ import annotations

import difflib

from fastlings.course.manifest import Course, Entry


class UnknownExercise(LookupError):
    """No exercise has that name. `str()` lists the closest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = (
            "Did you mean: " + ", ".join(suggestions) + "?"
            if suggestions
            else "Run `fastlings list` to see every exercise."
        )
        super().__init__(f"No exercise is called {name!r}. {hint}")


def resolve(course: Course, name: str) -> Entry:
    """An exercise by id (`ex01_users_router`), qualified id (`ch01_x/ex01_users_router`),
    file path (`exercises/ch01_x/ex01_users_router.py`) or a prefix that names only one."""
    cleaned = name.strip().replace("\\", "/").removesuffix(".py")
    for prefix in ("exercises/", "solutions/", "checks/"):
        cleaned = cleaned.removeprefix(prefix)
    cleaned = cleaned.replace("/test_", "/")
    entries = course.entries()
    for entry in entries:
        if cleaned in (entry.id, entry.qualified_id):
            return entry
    starting = [
        e for e in entries if e.id.startswith(cleaned) or e.qualified_id.startswith(cleaned)
    ]
    if len(starting) == 1 and cleaned:
        return starting[0]
    ids = [e.id for e in entries]
    close = difflib.get_close_matches(cleaned.split("/")[-1], ids, n=3, cutoff=0.5)
    if not close and starting:
        close = [e.id for e in starting[:5]]
    raise UnknownExercise(name, close)
