"""Run checks in a separate pytest process and read back what each check did.

The process writes a JSON report through the plugin's `--fastlings-report`; nothing the code
under check prints is trusted. A wall-clock limit stops a run that hangs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastlings.run.record import RunResult, read_report
from fastlings.run.spec import RunSpec
from fastlings.scratch import temporary


def pytest_command(spec: RunSpec, report: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", *spec.pytest_args(report)]


def run_checks(
    root: Path,
    spec: RunSpec,
    *,
    wall_timeout: float = 600.0,
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run pytest on `spec` in a child process in `root` and collect the results."""
    result = RunResult(target=spec.target)
    with temporary("run") as scratch:
        report = Path(scratch) / "report.json"
        child_env = {**os.environ, **(env or {})}
        child_env.pop("FASTLINGS_REPORT", None)
        try:
            completed = subprocess.run(
                pytest_command(spec, report),
                cwd=root,
                env=child_env,
                capture_output=True,
                text=True,
                timeout=wall_timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            result.timed_out = True
            result.output = _text(exc.stdout) + _text(exc.stderr)
            result.crashed = f"the run did not finish within {wall_timeout:g}s and was stopped"
            return result
        result = read_report(report, spec.target, completed.returncode)
        result.output = completed.stdout + completed.stderr
    return result


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value
