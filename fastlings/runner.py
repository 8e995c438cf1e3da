"""Run checks in a separate pytest process and read back what each check did.

The process writes a JSON report through the plugin's `--fastlings-report`; nothing the code
under check prints is trusted. A wall-clock limit stops a run that hangs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastlings.manifest import Entry, Target


@dataclass(frozen=True)
class CheckResult:
    """One check (one parametrised case) as the plugin recorded it."""

    nodeid: str
    file: str
    name: str | None
    outcome: str  # passed | failed | error | skipped
    phase: str  # collect | setup | call | teardown
    kind: str | None  # assertion | import | timeout | error | collection
    message: str | None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CheckResult:
        return cls(
            nodeid=str(record["nodeid"]),
            file=str(record["file"]),
            name=record.get("name"),
            outcome=str(record["outcome"]),
            phase=str(record["phase"]),
            kind=record.get("kind"),
            message=record.get("message"),
        )


@dataclass
class RunResult:
    target: Target
    results: list[CheckResult] = field(default_factory=list)
    returncode: int | None = None
    output: str = ""
    timed_out: bool = False
    crashed: str | None = None  # why no report came back, if none did

    def for_entry(self, entry: Entry) -> list[CheckResult]:
        rel = entry.checks_path.relative_to(entry.course.root).as_posix()
        return [r for r in self.results if r.file == rel]


def check_args(
    paths: Sequence[str],
    target: Target,
    report: Path | None = None,
    *,
    db_url: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The pytest arguments every tool uses to run checks: quiet, no cache, one target."""
    args = [*paths, f"--target={target}", "-p", "no:cacheprovider", "-q", "--no-header", "-rN"]
    if report is not None:
        args.append(f"--fastlings-report={report}")
    args += extra
    if db_url:
        args.append(f"--db-url={db_url}")
    return args


def pytest_command(
    paths: Sequence[str],
    target: Target,
    report: Path,
    *,
    db_url: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        *check_args(paths, target, report, db_url=db_url, extra=extra),
    ]


def read_report(report: Path, target: Target, returncode: int | None) -> RunResult:
    """The results the plugin wrote to `report`; `crashed` says why when there are none."""
    result = RunResult(target=target, returncode=returncode)
    try:
        payload = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result.crashed = f"pytest exited with code {returncode} before writing its report"
        return result
    result.results = [CheckResult.from_record(r) for r in payload.get("results", [])]
    result.timed_out = any(r.kind == "timeout" for r in result.results)
    return result


def run_checks(
    root: Path,
    paths: Sequence[str],
    target: Target,
    *,
    timeout: float = 600.0,
    db_url: str | None = None,
    extra: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> RunResult:
    """Run pytest on `paths` (relative to `root`) against `target` and collect the results."""
    result = RunResult(target=target)
    with tempfile.TemporaryDirectory(prefix="fastlings-run-") as scratch:
        report = Path(scratch) / "report.json"
        command = pytest_command(paths, target, report, db_url=db_url, extra=extra)
        child_env = {**os.environ, **(env or {})}
        child_env.pop("FASTLINGS_REPORT", None)
        try:
            completed = subprocess.run(
                command,
                cwd=root,
                env=child_env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            result.timed_out = True
            result.output = _text(exc.stdout) + _text(exc.stderr)
            result.crashed = f"the run did not finish within {timeout:g}s and was stopped"
            return result
        output = completed.stdout + completed.stderr
        result = read_report(report, target, completed.returncode)
        result.output = output
    return result


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value
