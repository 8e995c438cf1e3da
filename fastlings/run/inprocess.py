"""Run checks inside this Python process with `pytest.main`, and read the plugin's report.

A second interpreter would import pytest, FastAPI and SQLAlchemy all over again; running
in-process is what keeps `fastlings check EXERCISE` close to the cost of those imports.
Output from pytest and from the code under check is swallowed: the report is what counts.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from fastlings.course.manifest import Entry, Target
from fastlings.run.record import RunResult, read_report
from fastlings.run.spec import DEFAULT_TIMEOUT, RunSpec
from fastlings.scratch import temporary


class StopOnTimeout:
    """Stops the run after the first check that timed out: the others would hang as well."""

    def __init__(self) -> None:
        self.stopped = False
        self.session: Any = None

    def pytest_runtest_logreport(self, report: Any) -> None:
        from fastlings.plugin.reporting import classified

        found = classified(report)
        if found is not None and found[0] == "timeout":
            self.stopped = True
            if self.session is not None:
                self.session.shouldstop = "a check timed out"

    def pytest_sessionstart(self, session: Any) -> None:
        self.session = session


class Progress:
    """Calls `advance(done, total)` as each collected check finishes (for a progress bar)."""

    def __init__(self, advance: Callable[[int, int], None]) -> None:
        self.advance = advance
        self.total = 0
        self.done = 0

    def pytest_collection_finish(self, session: Any) -> None:
        self.total = len(session.items)
        self.advance(0, self.total)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self.done += 1
        self.advance(self.done, self.total)


def run_in_process(
    entries: Sequence[Entry],
    target: Target = "exercise",
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    db_server: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run the checks of `entries` with `pytest.main` in this process."""
    entries = [e for e in entries if e.checks_path.is_file()]  # a missing one: "no check ran"
    if not entries:
        return RunResult(target=target)
    spec = RunSpec.for_entries(entries, target, timeout=timeout, db_server=db_server)
    extra = [Progress(progress)] if progress is not None else []
    return run_spec_in_process(entries[0].course.root, spec, extra)


def run_spec_in_process(root: Path, spec: RunSpec, plugins: Sequence[object] = ()) -> RunResult:
    import pytest

    previous = Path.cwd()
    sink = io.StringIO()
    with temporary("run") as scratch:
        report = Path(scratch) / "report.json"
        os.environ.pop("FASTLINGS_REPORT", None)
        try:
            os.chdir(root)
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                stopper = StopOnTimeout()
                code = pytest.main(spec.pytest_args(report), plugins=[stopper, *plugins])
        finally:
            os.chdir(previous)
        if code == pytest.ExitCode.INTERRUPTED and not stopper.stopped:
            raise KeyboardInterrupt  # Ctrl-C: pytest caught it; partial results are not kept
        result = read_report(report, spec.target, int(code))
    result.output = sink.getvalue()
    return result
