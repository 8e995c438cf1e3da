"""Maintainer tools on the fixture course: `dev new`, `dev update`, and the gate's new rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course
from fastlings.dev.scaffold import ScaffoldError, new_exercise
from fastlings.dev.update import update
from fastlings.dev.verify import Report, verify
from fastlings.dev.verify.leaks import fix_runs, leaked_windows

WORKFLOW = Path(".github/workflows/classroom.yml")


def run(root: Path) -> tuple[Report, str]:
    lines: list[str] = []
    report = verify(root, lint=False, notebooks=False, echo=lines.append)
    return report, "\n".join(lines)


def test_dev_new_in_an_existing_chapter_leaves_exactly_the_placeholders(tiny_course: Path) -> None:
    done = new_exercise(load_course(tiny_course), "ch01_ping", "ex02_echo")
    written = sorted(p.relative_to(tiny_course).as_posix() for p in done.written)
    assert written == [
        "checks/ch01_ping/test_ex02_echo.py",
        "course.toml",
        "exercises/ch01_ping/ex02_echo.py",
        "lessons/ch01_ping.md",
        "solutions/ch01_ping/ex02_echo.py",
    ]
    course = load_course(tiny_course)
    assert [e.id for e in course.entries()] == ["ex01_ping", "ex02_echo"]
    update(course)  # the workflow now has a step for the new exercise
    report, out = run(tiny_course)
    assert sorted(report.breaches) == [
        "ch01_ping/ex02_echo: course.toml: write the title, section and hints",
        "ch01_ping/ex02_echo: write the checks file checks/ch01_ping/test_ex02_echo.py",
        "ch01_ping/ex02_echo: write the solution solutions/ch01_ping/ex02_echo.py",
        "ch01_ping/ex02_echo: write the starter exercises/ch01_ping/ex02_echo.py",
        "ch01_ping: write the lesson lessons/ch01_ping.md",
    ], out
    assert "✓ ch01_ping/ex02_echo" in out  # the scaffold's own check fails, then passes


def test_dev_new_starts_a_chapter_and_names_its_missing_notebook(tiny_course: Path) -> None:
    new_exercise(load_course(tiny_course), "ch02_echo", "ex01_echo")
    update(load_course(tiny_course))
    report, _ = run(tiny_course)
    assert "ch02_echo: notebook notebooks/ch02_echo.ipynb is missing" in report.breaches
    assert "ch02_echo: course.toml: write the chapter's title" in report.breaches
    text = (tiny_course / "course.toml").read_text()
    assert re.search(r'\[\[chapters\]\]\nid = "ch02_echo"', text)


def test_dev_new_refuses_a_taken_name(tiny_course: Path) -> None:
    with pytest.raises(ScaffoldError, match="exists already"):
        new_exercise(load_course(tiny_course), "ch01_ping", "ex01_ping")


@pytest.mark.timeout(60)  # two runs of the gate
def test_a_stale_classroom_workflow_is_reported_and_update_mends_it(tiny_course: Path) -> None:
    workflow = tiny_course / WORKFLOW
    workflow.write_text(workflow.read_text().replace("max-score: 10", "max-score: 99"))
    report, _ = run(tiny_course)
    assert any(
        b.startswith(".github/workflows/classroom.yml: the Classroom workflow is stale")
        for b in report.breaches
    ), report.breaches
    written, problems = update(load_course(tiny_course))
    assert [p.relative_to(tiny_course) for p in written] == [WORKFLOW] and not problems
    assert run(tiny_course)[0].breaches == []


def test_a_lesson_that_shows_four_lines_of_the_fix_is_a_breach(tiny_course: Path) -> None:
    solution = tiny_course / "solutions/ch01_ping/ex01_ping.py"
    fix = (
        '    answer = {"pong": True}\n'
        "    assert answer['pong'] is True\n"
        "    checked = dict(answer)\n"
        "    return checked\n"
    )
    solution.write_text(solution.read_text().replace('    return {"pong": True}\n', fix))
    lesson = tiny_course / "lessons/ch01_ping.md"
    clean = lesson.read_text().replace("<!-- snippet:", "<!-- (no) snippet:")
    lesson.write_text(clean + "\n```python\n" + fix + "```\n")
    report, out = run(tiny_course)
    assert any("shows 4+ lines of the solution's fix" in b for b in report.breaches), out


def test_three_lines_or_lines_that_differ_are_not_a_leak() -> None:
    starter = "a = 1\n"
    solution = "a = 1\nfirst_line = 1\nsecond_line = 2\nthird_line = 3\nfourth_line = 4\n"
    runs = fix_runs(starter, solution)
    assert runs == [["first_line = 1", "second_line = 2", "third_line = 3", "fourth_line = 4"]]
    assert leaked_windows("first_line = 1\nsecond_line = 2\nthird_line = 3\n", runs) == []
    lesson = "first_line = 1\nsecond_line = 2\nthird_line = 3\nfourth_line = 5\n"
    assert leaked_windows(lesson, runs) == []
    assert leaked_windows(
        "first_line = 1\n\n  second_line = 2\nthird_line = 3\nfourth_line = 4", runs
    )


def test_a_snippet_of_a_starter_is_not_a_leak() -> None:
    from fastlings.dev.verify.leaks import without_starter_snippets

    lesson = (
        "<!-- snippet: exercises/ch01/ex01.py f -->\n```python\nfour\nfix\nlines\nhere\n```\n"
        "<!-- snippet: solutions/ch01/ex01.py f -->\n```python\nkept\n```\n"
    )
    left = without_starter_snippets(lesson)
    assert "fix" not in left and "kept" in left
