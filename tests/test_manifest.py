"""The manifest model: one loader, validated, paths derived by convention."""

from pathlib import Path

import pytest

from fastlings.course.manifest import ManifestError, load_course

REAL_ROOT = Path(__file__).parent.parent


def test_paths_are_derived_from_ids(tiny_course: Path) -> None:
    entry = load_course(tiny_course).entry("ex01_ping")
    assert entry.exercise_path == tiny_course / "exercises/ch01_ping/ex01_ping.py"
    assert entry.solution_path == tiny_course / "solutions/ch01_ping/ex01_ping.py"
    assert entry.checks_path == tiny_course / "checks/ch01_ping/test_ex01_ping.py"
    assert entry.lesson_path == tiny_course / "lessons/ch01_ping.md"
    assert entry.notebook_path == tiny_course / "notebooks/ch01_ping.ipynb"
    assert entry.lesson_ref == "lessons/ch01_ping.md § 1.1 Ping"
    assert load_course(tiny_course).entry("ch01_ping/ex01_ping") is not None


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ('hints = ["Look at the status code.", ', "hints = [", "hints"),
        ('"Look at the status code."', '"   "', "hints"),
        ("points = 10", "points = 0", "points"),
        ('failing_checks = ["test_ping_answers_pong"]', "failing_checks = []", "failing_checks"),
        ('failing_checks = ["test_ping_answers_pong"]', 'failing_checks = ["ping"]', "test_"),
        ('id = "ex01_ping"', 'id = "Ex 01"', "id"),
        ('title = "Answer a ping"', 'title = "Answer"\nsurprise = 1', "surprise"),
    ],
)
def test_invalid_manifests_are_refused(
    tiny_course: Path, old: str, new: str, complaint: str
) -> None:
    manifest = tiny_course / "course.toml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))
    with pytest.raises(ManifestError, match=complaint):
        load_course(tiny_course)


def test_the_real_course_loads_with_unique_ids() -> None:
    course = load_course(REAL_ROOT)
    ids = [e.id for e in course.entries()]
    assert len(ids) == len(set(ids)) >= 1
    assert course.total_points == sum(e.exercise.points for e in course.entries())
