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


def _fresh_load(root: Path, *, remembered: bool) -> object:
    from fastlings.course import manifest

    manifest._CACHE.clear()  # a new process, as each command is
    return load_course(root, remembered=remembered)


def test_the_remembered_manifest_is_the_validated_one_and_needs_no_pydantic(
    tiny_course: Path,
) -> None:
    import json
    import subprocess
    import sys

    validated = _fresh_load(tiny_course, remembered=True)  # validates, then remembers
    assert (tiny_course / ".fastlings/manifest.json").is_file()
    assert _fresh_load(tiny_course, remembered=True) == validated
    probe = (
        "import sys; from pathlib import Path; from fastlings.course.manifest import load_course; "
        f"c = load_course(Path({str(tiny_course)!r}), remembered=True); "
        "print(c.entries()[0].exercise.points, 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.split() == ["10", "False"], out.stderr
    remembered = json.loads((tiny_course / ".fastlings/manifest.json").read_text())
    assert remembered["course"]["chapters"][0]["exercises"][0]["points"] == 10


def test_a_planted_or_stale_remembered_manifest_is_not_believed(tiny_course: Path) -> None:
    import json

    _fresh_load(tiny_course, remembered=True)
    path = tiny_course / ".fastlings/manifest.json"
    planted = json.loads(path.read_text())
    planted["course"]["chapters"][0]["exercises"][0]["points"] = 99
    path.write_text(json.dumps(planted))
    # grading and verify never read it: a submission can plant any file in .fastlings/
    assert _fresh_load(tiny_course, remembered=False).entries()[0].exercise.points == 10
    # a changed course.toml is validated again, whatever the file says
    toml = tiny_course / "course.toml"
    toml.write_text(toml.read_text().replace("points = 10", "points = 7"))
    assert _fresh_load(tiny_course, remembered=True).entries()[0].exercise.points == 7
    path.write_text("{not json")
    assert _fresh_load(tiny_course, remembered=True).entries()[0].exercise.points == 7
