"""Run checks inside this Python process with `pytest.main`, and read the plugin's report.

A second interpreter would import pytest, FastAPI and SQLAlchemy all over again; running
in-process is what keeps `fastlings check EXERCISE` close to the cost of those imports.
Output from pytest and from the code under check is swallowed: the report is what counts.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastlings.manifest import Entry, Target
from fastlings.runner import RunResult, check_args, read_report

DEFAULT_TIMEOUT = 10.0


class StopOnTimeout:
    """Stops the run after the first check that timed out: the others would hang as well."""

    def __init__(self) -> None:
        self.stopped = False
        self.session: Any = None

    def pytest_runtest_logreport(self, report: Any) -> None:
        details = dict(getattr(report, "user_properties", [])).get("fastlings")
        if isinstance(details, dict) and details.get("kind") == "timeout":
            self.stopped = True
            if self.session is not None:
                self.session.shouldstop = "a check timed out"

    def pytest_sessionstart(self, session: Any) -> None:
        self.session = session


def pytest_args(
    root: Path,
    entries: Sequence[Entry],
    target: Target,
    report: Path,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    db_url: str | None = None,
) -> list[str]:
    """The pytest command line for these exercises' checks files."""
    extra = [f"--rootdir={root}"]
    ini = root / "pyproject.toml"
    if ini.is_file():
        extra += ["-c", str(ini)]
    if timeout:
        extra.append(f"--timeout={timeout:g}")
    paths = [str(e.checks_path) for e in entries]
    return check_args(paths, target, report, db_url=db_url, extra=extra)


def run_in_process(
    entries: Sequence[Entry],
    target: Target = "exercise",
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    db_url: str | None = None,
) -> RunResult:
    """Run the checks of `entries` with `pytest.main` in this process."""
    import pytest

    entries = [e for e in entries if e.checks_path.is_file()]  # a missing one: "no check ran"
    if not entries:
        return RunResult(target=target)
    root = entries[0].course.root
    previous = Path.cwd()
    sink = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="fastlings-") as scratch:
        report = Path(scratch) / "report.json"
        args = pytest_args(root, entries, target, report, timeout=timeout, db_url=db_url)
        os.environ.pop("FASTLINGS_REPORT", None)
        try:
            os.chdir(root)
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                stopper = StopOnTimeout()
                code = pytest.main(args, plugins=[stopper])
        finally:
            os.chdir(previous)
        if code == pytest.ExitCode.INTERRUPTED and not stopper.stopped:
            raise KeyboardInterrupt  # Ctrl-C: pytest caught it; partial results are not kept
        result = read_report(report, target, int(code))
    result.output = sink.getvalue()
    return result
