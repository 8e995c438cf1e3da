"""`fastlings class grade` on a small synthetic class: exact scores, tamper cases included.

The class is graded once (module fixture) through the real command, in a two-chapter course
built in a temporary folder from chapter 1's starter, solution and checks (the second chapter
is a renamed copy, so that one learner's tampering in one exercise can be seen not to cost the
other). Each hostile submission puts a prelude from `grading_fixtures/` on top of a starter or
solution.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course

pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "grading_fixtures"
CH1, EX1 = "ch01_endpoint_structure", "ex01_users_router"
CH2, EX2 = "ch02_copy", "ex02_users_copy"

MANIFEST = f"""
[course]
title = "Synthetic class"

[[chapters]]
id = "{CH1}"
title = "Endpoint structure"

[[chapters.exercises]]
id = "{EX1}"
title = "Router"
section = "1.1 Router"
points = 10
hints = ["one", "two"]
failing_checks = ["test_create_returns_201_with_response_model"]

[[chapters]]
id = "{CH2}"
title = "A copy of chapter 1"

[[chapters.exercises]]
id = "{EX2}"
title = "Router again"
section = "2.1 Router again"
points = 5
hints = ["one", "two"]
failing_checks = ["test_create_returns_201_with_response_model"]
"""


def build_course(root: Path) -> Path:
    """The instructor's course: two exercises, chapter 1's checks, starters and solutions."""
    shutil.copyfile(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "course.toml").write_text(MANIFEST, encoding="utf-8")
    source_checks = REPO / "checks" / CH1 / f"test_{EX1}.py"
    for chapter, exercise in ((CH1, EX1), (CH2, EX2)):
        (root / "checks" / chapter).mkdir(parents=True)
        shutil.copyfile(source_checks, root / "checks" / chapter / f"test_{exercise}.py")
        for helper in source_checks.parent.glob("*.py"):  # chapter 1's shared check helpers
            if not helper.name.startswith("test_"):
                shutil.copyfile(helper, root / "checks" / chapter / helper.name)
        for folder in ("exercises", "solutions"):
            (root / folder / chapter).mkdir(parents=True)
            shutil.copyfile(
                REPO / folder / CH1 / f"{EX1}.py", root / folder / chapter / f"{exercise}.py"
            )
    return root


def code(kind: str, prelude: str | None = None) -> str:
    body = (
        REPO / ("solutions" if kind == "solution" else "exercises") / CH1 / f"{EX1}.py"
    ).read_text(encoding="utf-8")
    if prelude is None:
        return body
    return (FIXTURES / f"{prelude}.prelude").read_text(encoding="utf-8") + "\n" + body


@dataclass(frozen=True)
class Case:
    """A learner: what goes in each exercise, and the exact points expected."""

    ex1: str | None
    ex2: str | None
    points: tuple[int, int]
    reason1: str | None = None  # a phrase the reason for exercise 1's zero must contain


CASES: dict[str, Case] = {
    "solved": Case(code("solution"), code("solution"), (10, 5)),
    "starter": Case(code("starter"), code("starter"), (0, 0)),
    "mixed": Case(code("solution"), code("starter"), (10, 0)),
    # edits checks/, conftest.py, course.toml and pyproject.toml: see `write_submission`
    "edits_checks": Case(code("starter"), code("starter"), (0, 0)),
    "exit_import": Case(
        code("solution", "exit_import"), code("solution"), (0, 5), "ended before the checks"
    ),
    "sys_exit": Case(code("solution", "sys_exit"), code("solution"), (0, 5), "called exit()"),
    "fake_print": Case(code("starter", "fake_print"), code("starter"), (0, 0)),
    "patch_runner": Case(
        code("starter", "patch_runner"), code("solution"), (0, 5), "a result was reported from"
    ),
    "patch_report": Case(
        code("starter", "patch_report"), code("solution"), (0, 5), "TestReport.__init__"
    ),
    "register_plugin": Case(
        code("starter", "register_plugin"), code("solution"), (0, 5), "stack frame"
    ),
    "forge_records": Case(
        code("starter", "forge_records"), code("solution"), (0, 5), "stack frame"
    ),
    "fake_result": Case(code("starter", "fake_result"), code("solution"), (0, 5), "result channel"),
    "loop_forever": Case(code("solution", "loop_forever"), code("solution"), (0, 5), "Timed out"),
    "fork_bomb": Case(code("solution", "fork_bomb"), code("solution"), (0, 5), "new process"),
    "symlink": Case("SYMLINK", code("solution"), (0, 5), "symbolic link"),
    "missing": Case(None, None, (0, 0), "missing from the submission"),
}


def write_submission(folder: Path, name: str, case: Case, course: Path) -> None:
    learner = folder / name
    learner.mkdir(parents=True)
    for chapter, exercise, text in ((CH1, EX1, case.ex1), (CH2, EX2, case.ex2)):
        if text is None:
            continue
        target = learner / "exercises" / chapter / f"{exercise}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        if text == "SYMLINK":  # points at the instructor's own solution
            target.symlink_to(course / "solutions" / chapter / f"{exercise}.py")
        else:
            target.write_text(text, encoding="utf-8")
    if name == "edits_checks":
        forced = (FIXTURES / "forced_pass_conftest.py.txt").read_text(encoding="utf-8")
        for where in ("", "checks/", f"checks/{CH1}/", f"exercises/{CH1}/"):
            (learner / where).mkdir(parents=True, exist_ok=True)
            (learner / where / "conftest.py").write_text(forced, encoding="utf-8")
        for chapter, exercise in ((CH1, EX1), (CH2, EX2)):
            checks = learner / "checks" / chapter / f"test_{exercise}.py"
            checks.parent.mkdir(parents=True, exist_ok=True)
            checks.write_text("def test_create_returns_201_with_response_model():\n    pass\n")
        manifest = MANIFEST.replace("points = 10", "points = 100").replace("points = 5", "1")
        (learner / "course.toml").write_text(manifest, encoding="utf-8")
        (learner / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = ["-x"]\n')
        (learner / "solutions").mkdir()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    return subprocess.run(
        [sys.executable, "-c", "from fastlings.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    base = tmp_path_factory.mktemp("grade-class")
    (base / "course").mkdir()
    course = build_course(base / "course")
    submissions = base / "submissions"
    for name, case in CASES.items():
        write_submission(submissions, name, case, course)
    out = base / "out"
    done = run_cli(
        "class",
        "grade",
        str(submissions),
        "--jobs",
        "2",
        "--check-timeout",
        "3",
        "--exercise-timeout",
        "30",
        "--out",
        str(out),
        cwd=course,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out, json.loads((out / "grades.json").read_text(encoding="utf-8"))


def _learners(payload: dict[str, object]) -> dict[str, dict[str, object]]:
    learners = payload["learners"]
    assert isinstance(learners, list)
    return {str(lg["learner"]): lg for lg in learners}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_submission_gets_exactly_its_expected_score(
    graded: tuple[Path, dict[str, object]], name: str
) -> None:
    _, payload = graded
    learner = _learners(payload)[name]
    exercises = {e["id"]: e for e in learner["exercises"]}  # type: ignore[attr-defined]
    case = CASES[name]
    got = (exercises[EX1]["points_earned"], exercises[EX2]["points_earned"])
    assert got == case.points, json.dumps(learner, indent=1)[:3000]
    assert learner["points_earned"] == sum(case.points)
    if case.reason1 is not None:
        text = json.dumps(exercises[EX1])
        assert case.reason1 in text, f"{name}: no {case.reason1!r} in {text[:2000]}"


def test_csv_has_a_row_per_learner_a_column_per_exercise_and_totals(
    graded: tuple[Path, dict[str, object]],
) -> None:
    out, _ = graded
    lines = list(csv.reader((out / "grades.csv").read_text(encoding="utf-8").splitlines()))
    assert lines[0] == ["learner", EX1, EX2, "total", "possible"]
    rows = {line[0]: line[1:] for line in lines[1:]}
    assert set(rows) == set(CASES)
    for name, case in CASES.items():
        assert rows[name] == [str(case.points[0]), str(case.points[1]), str(sum(case.points)), "15"]


def test_json_keeps_every_check_and_its_message(graded: tuple[Path, dict[str, object]]) -> None:
    _, payload = graded
    starter = _learners(payload)["starter"]
    ex1 = starter["exercises"][0]  # type: ignore[index]
    failed = [c for c in ex1["checks"] if not c["passed"]]
    declared = load_course(REPO).entry(EX1).exercise.failing_checks  # the real starter's
    assert len(failed) == len(declared) and all("Expected:" in c["message"] for c in failed)
    solved = _learners(payload)["solved"]
    assert all(c["passed"] for c in solved["exercises"][0]["checks"])  # type: ignore[index]


def test_the_html_report_names_the_reasons_and_escapes_learner_text(
    graded: tuple[Path, dict[str, object]],
) -> None:
    out, _ = graded
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="pass-rate-chart"' in html and "<script" not in html
    assert "symbolic link" in html and "new process" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_exercises_option_grades_only_the_selected_chapters(tmp_path: Path) -> None:
    course = build_course(tmp_path)
    submissions = tmp_path / "submissions"
    write_submission(submissions, "solved", CASES["solved"], course)
    done = run_cli(
        "class", "grade", str(submissions), "--exercises", "2", "--out", str(tmp_path), cwd=course
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "grades.csv").read_text().splitlines() == [
        f'"learner","{EX2}","total","possible"',
        '"solved","5","5","5"',
    ]
    bad = run_cli("class", "grade", str(submissions), "--exercises", "7-9", cwd=course)
    assert bad.returncode == 2 and "names no chapter" in bad.stderr


def test_without_reuse_the_scores_are_the_same(tmp_path: Path) -> None:
    """Every file run even when it is the starter or the solution (`--no-reuse`): same scores,
    and one exercise's tampering still costs only that exercise."""
    (tmp_path / "course").mkdir()
    course = build_course(tmp_path / "course")
    submissions = tmp_path / "submissions"
    names = ("solved", "mixed", "exit_import", "patch_runner", "forge_records", "fork_bomb")
    for name in names:
        write_submission(submissions, name, CASES[name], course)
    out = tmp_path / "out"
    done = run_cli(
        "class",
        "grade",
        str(submissions),
        "--no-reuse",
        "--jobs",
        "2",
        "--out",
        str(out),
        cwd=course,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader((out / "grades.csv").read_text(encoding="utf-8").splitlines()))[1:]
    got = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    assert got == {name: CASES[name].points for name in names}
    payload = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    learners = _learners(payload)
    assert all(not lg["reused_results"] for lg in learners.values())
    for name in ("exit_import", "patch_runner", "forge_records", "fork_bomb"):
        assert learners[name]["isolated_reruns"] == [EX1, EX2], name


def test_identical_files_reuse_the_graders_own_run(graded: tuple[Path, dict[str, object]]) -> None:
    _, payload = graded
    learners = _learners(payload)
    assert learners["solved"]["reused_results"] == [EX1, EX2]
    assert learners["starter"]["reused_results"] == [EX1, EX2]
    assert learners["patch_runner"]["reused_results"] == [EX2]  # ex1 carries the tamper
    assert learners["fake_print"]["reused_results"] == [EX2]
