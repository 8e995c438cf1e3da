"""Gate 7: a lesson teaches with its own worked example, never with the exercise's answer.

The fix of an exercise is the lines its solution has that its starter does not. A lesson that
contains four or more of those lines in a row (whitespace ignored) hands the answer over.
Snippets copied from `exercises/` are left out: they quote starters, which the learner has open
already, so they give nothing away.
"""

from __future__ import annotations

import difflib
import re

from fastlings.course.manifest import Course, Entry, lesson_path
from fastlings.dev.verify.report import Report

RUN = 4
"""How many consecutive fix lines a lesson may not contain."""
_SUBSTANCE = re.compile(r"[A-Za-z0-9_]")
_STARTER_SNIPPET = re.compile(r"<!-- snippet: exercises/\S+[^\n]*-->\n```[a-z]*\n.*?```", re.S)


def _normal(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines]


def fix_runs(starter: str, solution: str) -> list[list[str]]:
    """The runs of consecutive solution lines that the starter does not have (blank lines and
    comment-only lines are skipped, and do not break a run)."""
    old, new = _normal(starter.splitlines()), _normal(solution.splitlines())
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    runs: list[list[str]] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            run = [line for line in new[j1:j2] if line and not line.startswith("#")]
            if len(run) >= RUN:
                runs.append(run)
    return runs


def leaked_windows(lesson: str, runs: list[list[str]]) -> list[list[str]]:
    """Each window of `RUN` consecutive fix lines that the lesson also has, in a row."""
    text = [line for line in _normal(lesson.splitlines()) if line]
    seen = {tuple(text[i : i + RUN]) for i in range(len(text) - RUN + 1)}
    found: list[list[str]] = []
    for run in runs:
        for start in range(len(run) - RUN + 1):
            window = run[start : start + RUN]
            substance = sum(len(_SUBSTANCE.findall(line)) for line in window)
            if substance >= 20 and tuple(window) in seen:
                found.append(window)
                break  # one quote per run is enough to report
    return found


def without_starter_snippets(lesson: str) -> str:
    return _STARTER_SNIPPET.sub("", lesson)


def check_lesson_leaks(course: Course, report: Report) -> None:
    for chapter in course.chapters:
        lesson = lesson_path(course.root, chapter)
        if not lesson.is_file():
            continue
        text = without_starter_snippets(lesson.read_text(encoding="utf-8"))
        for entry in (e for e in course.entries() if e.chapter.id == chapter.id):
            for window in _leaks(entry, text):
                report.breach(
                    entry.qualified_id,
                    f"{lesson.relative_to(course.root)} shows {RUN}+ lines of the solution's fix "
                    f"(from {window[0]!r}); teach it on the lesson's own worked example instead",
                )


def _leaks(entry: Entry, lesson: str) -> list[list[str]]:
    if not (entry.exercise_path.is_file() and entry.solution_path.is_file()):
        return []
    starter = entry.exercise_path.read_text(encoding="utf-8", errors="replace")
    solution = entry.solution_path.read_text(encoding="utf-8", errors="replace")
    return leaked_windows(lesson, fix_runs(starter, solution))
