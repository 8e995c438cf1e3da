"""Progress is derived from check results and cached by content hash; `list` and `grade`."""

from __future__ import annotations

import json
from pathlib import Path

from fastlings.course.manifest import load_course
from fastlings.grading import grade_exercise
from fastlings.learner.progress import cache_key, evaluate
from fastlings.run.record import CheckResult, RunResult
from tests.conftest import FIRST, SECOND, exercise_file, manifest_text, run_cli, solution_file


class CountingRunner:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, entries: list) -> RunResult:  # type: ignore[type-arg]
        from fastlings.run.inprocess import run_in_process

        self.batches.append([e.id for e in entries])
        return run_in_process(entries, "exercise", timeout=10)


def test_untouched_starters_are_not_started_without_running(course: Path) -> None:
    runner = CountingRunner()
    statuses = evaluate(load_course(course).entries(), runner)
    assert [s.status for s in statuses] == ["not started", "not started"]
    assert runner.batches == []


def test_results_are_cached_by_content_and_rechecked_after_an_edit(course: Path) -> None:
    entries = load_course(course).entries()
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    runner = CountingRunner()
    first = evaluate(entries, runner)
    assert [s.status for s in first] == ["passed", "not started"]
    assert runner.batches == [[FIRST]]
    again = evaluate(entries, runner)
    assert [s.status for s in again] == ["passed", "not started"]
    assert all(s.cached for s in again) and runner.batches == [[FIRST]]
    # an edit that breaks it: re-checked at once, nothing drifts
    path = exercise_file(course)
    path.write_text(path.read_text().replace("status.HTTP_201_CREATED", "status.HTTP_200_OK"))
    third = evaluate(entries, runner)
    assert [s.status for s in third] == ["failing", "not started"]
    assert runner.batches == [[FIRST], [FIRST]]


def test_cache_key_covers_file_checks_and_manifest(course: Path) -> None:
    entry = load_course(course).entry(FIRST)
    key = cache_key(entry)
    entry.checks_path.write_text(entry.checks_path.read_text() + "\n")
    assert cache_key(entry) != key


def test_list_shows_table_progress_and_uses_the_cache(course: Path) -> None:
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    done = run_cli(course, "list")
    assert done.returncode == 0, done.stderr
    assert "Chapter 1: Endpoint structure" in done.stdout
    assert "lessons/ch01_endpoint_structure.md" in done.stdout
    assert "notebooks/ch01_endpoint_structure.ipynb" in done.stdout
    assert FIRST in done.stdout and "passed" in done.stdout and "not started" in done.stdout
    assert "1/2 exercises  score 10/20 points" in done.stdout
    cache = json.loads((course / ".fastlings" / "progress.json").read_text())
    assert cache["exercises"]["ch01_endpoint_structure/ex01_users_router"]["grade"]["passed"]
    assert run_cli(course, "list").stdout == done.stdout


def test_grade_json_fields(course: Path) -> None:
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    done = run_cli(course, "grade", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["points_earned"], data["points_possible"]) == (10, 20)
    by_id = {e["id"]: e for e in data["exercises"]}
    assert by_id[FIRST]["points_earned"] == 10 and by_id[FIRST]["points_possible"] == 10
    assert all(c["passed"] for c in by_id[FIRST]["checks"])
    failing = [c for c in by_id[SECOND]["checks"] if not c["passed"]]
    assert failing and all("Expected:" in c["message"] for c in failing)
    text = run_cli(course, "grade")
    assert "Score: 10/20 points" in text.stdout


def test_partial_credit_is_per_check(course: Path) -> None:
    (course / "course.toml").write_text(manifest_text(partial_credit=True))
    entry = load_course(course).entry(FIRST)

    def result(name: str, outcome: str) -> CheckResult:
        return CheckResult(f"x::{name}", "x", name, outcome, "call", None, None)

    results = [result("test_a", "passed"), result("test_b", "failed")]
    assert grade_exercise(entry, results).points_earned == 5
    run = RunResult(target="exercise", results=results)
    assert run.results == results
