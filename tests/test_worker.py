"""The warm worker behind watch mode: a run that hangs past the hard limit is killed, and the
worker goes on serving."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course
from fastlings.run.spec import RunSpec
from tests.conftest import FIRST, exercise_file, solution_file

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="the worker forks"),
]


def test_a_hung_run_is_killed_and_the_worker_serves_the_next(course: Path) -> None:
    entry = load_course(course).entry(FIRST)
    report = course / "report.json"
    args = RunSpec.for_entries([entry], "exercise", timeout=60).pytest_args(report)
    worker = subprocess.Popen(
        [sys.executable, "-m", "fastlings.run.worker", str(course)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert worker.stdin is not None and worker.stdout is not None

    def ask(hard: float) -> dict[str, object]:
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(json.dumps({"args": args, "hard_timeout": hard}) + "\n")
        worker.stdin.flush()
        answer = json.loads(worker.stdout.readline())
        assert isinstance(answer, dict)
        return answer

    try:
        assert json.loads(worker.stdout.readline()) == {"status": "ready"}
        path = exercise_file(course)
        path.write_text(path.read_text() + "\nwhile True:\n    pass\n")
        start = time.monotonic()
        assert ask(hard=1.0)["status"] == "timeout"
        assert time.monotonic() - start < 10
        path.write_bytes(solution_file(course).read_bytes())
        assert ask(hard=60) == {"status": "done", "code": 0}
        records = json.loads(report.read_text())["results"]
        assert records and all(r["outcome"] == "passed" for r in records)
    finally:
        worker.stdin.close()
        worker.wait(timeout=20)
