"""The GitHub Classroom workflow: in sync with the manifest, points add up, its command works.

The workflow is generated (`fastlings dev update`); after adding or changing exercises in
course.toml, regenerate it, or the first test fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fastlings.classroom import WORKFLOW_PATH, workflow
from fastlings.course.manifest import load_course

pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[1]
GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def steps() -> list[dict[str, Any]]:
    data = yaml.safe_load((REPO / WORKFLOW_PATH).read_text(encoding="utf-8"))
    [job] = data["jobs"].values()
    return list(job["steps"])


def test_the_committed_workflow_is_generated_from_the_manifest() -> None:
    committed = (REPO / WORKFLOW_PATH).read_text(encoding="utf-8")
    assert committed == workflow(load_course(REPO)), (
        f"{WORKFLOW_PATH} is out of date: run `fastlings dev update` and commit it"
    )


def test_the_points_add_up_to_the_manifest() -> None:
    course = load_course(REPO)
    from fastlings.classroom import steps as planned

    graders = [s for s in steps() if s.get("uses") == GRADER]
    expected = [step for e in course.entries() for step in planned(e)]
    assert [s["id"] for s in graders] == [sid for sid, _, _ in expected]
    assert [s["with"]["max-score"] for s in graders] == [score for _, _, score in expected]
    assert sum(s["with"]["max-score"] for s in graders) == course.total_points
    [reporter] = [s for s in steps() if s.get("uses") == REPORTER]
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    for step in graders:
        assert reporter["env"][f"{step['id'].upper()}_RESULTS"] == (
            f"${{{{steps.{step['id']}.outputs.result}}}}"
        )


def workspace(tmp_path: Path, kind: str) -> Path:
    """The runner's workspace: `course/` (pristine) and `submission/` (a learner's push)."""
    (tmp_path / "course").symlink_to(REPO, target_is_directory=True)
    submission = tmp_path / "submission"
    source = REPO / ("solutions" if kind == "solution" else "exercises")
    shutil.copytree(source, submission / "exercises")
    # A learner who also rewrote the checks gains nothing: only exercises/ is taken.
    shutil.copytree(REPO / "checks", submission / "checks")
    for checks in (submission / "checks").rglob("test_*.py"):
        checks.write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    return tmp_path


def run_step(step: dict[str, Any], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        shlex.split(step["with"]["command"]),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=step["with"]["timeout"] * 60,
        check=False,
    )


def test_every_step_command_awards_its_points_to_the_solutions(tmp_path: Path) -> None:
    cwd = workspace(tmp_path, "solution")
    earned = 0
    for step in (s for s in steps() if s.get("uses") == GRADER):
        done = run_step(step, cwd)
        assert done.returncode == 0, f"{step['id']}:\n{done.stdout}\n{done.stderr}"
        earned += step["with"]["max-score"]
    assert earned == load_course(REPO).total_points


def test_a_step_command_fails_a_starter_with_the_checks_messages(tmp_path: Path) -> None:
    cwd = workspace(tmp_path, "starter")
    step = next(s for s in steps() if s.get("uses") == GRADER)
    done = run_step(step, cwd)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"✗ {step['id']}: 0/{step['with']['max-score']} points" in done.stdout
    assert "Expected:" in done.stdout


def test_a_partial_credit_exercise_is_one_step_per_share() -> None:
    """Step k passes when at least k checks pass; the steps' scores add up, for every k, to
    what `class grade` awards for k passing checks."""
    from fastlings.classroom import check_names, steps
    from fastlings.course.manifest import load_course

    course = load_course(Path(__file__).resolve().parents[1])
    partial = [e for e in course.entries() if e.exercise.partial_credit]
    assert partial, "the course has a partial-credit exercise"
    for entry in partial:
        n = len(check_names(entry))
        found = steps(entry)
        assert sum(score for _, _, score in found) == entry.exercise.points
        for k in range(n + 1):
            earned = sum(score for _, run, score in found if int(run.rsplit(" ", 1)[1]) <= k)
            assert earned == entry.exercise.points * k // n
