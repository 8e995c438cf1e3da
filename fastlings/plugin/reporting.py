"""One `CheckResult` per check: what the CLI, verify and grading read back.

`pytest_runtest_makereport` classifies each failure (assertion, import, timeout, error); the
`ResultCollector` turns reports into `fastlings.run.record.CheckResult`s and writes them, for
`--fastlings-report`, with `fastlings.run.record.write_report`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Generator
from pathlib import Path

import pytest

from fastlings.plugin.diagnoses import diagnose, render
from fastlings.plugin.keys import REPORT_ENV, kind_key, target_key, timeout_message_key
from fastlings.plugin.observe import observations_key, raised
from fastlings.run.record import CheckResult, Kind, Outcome, Phase, write_report


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ResultCollector(config), "fastlings-results")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # No garbage collection while pytest formats a failure: a connection the code under check
    # leaked, finalised here, has SQLAlchemy log a traceback whose `ast.parse` re-enters the one
    # pytest runs, and CPython before 3.11.8 then stops the whole run ("AST constructor
    # recursion depth mismatch", an INTERNALERROR). See also `databases.dispose`.
    collecting = gc.isenabled()
    gc.disable()
    try:
        report = yield
    finally:
        if collecting:
            gc.enable()
    timed_out = item.stash.get(timeout_message_key, None)
    if timed_out is not None and call.when in ("setup", "call") and not report.failed:
        # The alarm stopped code that looped in a task the check did not await (the task
        # ended with the timeout, the check went on): the check still timed out.
        report.outcome = "failed"
        report.longrepr = timed_out
    if report.failed and call.when in ("setup", "call") and timed_out is not None:
        item.stash[kind_key] = "timeout"
        report.user_properties.append(("fastlings", ("timeout", timed_out)))
    elif call.excinfo is not None and call.when in ("setup", "call"):
        kind: Kind | None = item.stash.get(kind_key, None)
        if kind is None:
            kind = "assertion" if call.excinfo.errisinstance(AssertionError) else "error"
        item.stash[kind_key] = kind
        message = _short_message(call.excinfo.value, kind)
        if kind == "error":
            message += _raised_at(item, call.excinfo.value)
        if kind in ("assertion", "error"):
            diagnosis = _diagnosis(item)
            if diagnosis:
                message = f"{message}\n\n{diagnosis}"
                report.sections.append(("fastlings: what the app did", diagnosis))
        report.user_properties.append(("fastlings", (kind, message)))
    return report


def _diagnosis(item: pytest.Item) -> str:
    observations = item.stash.get(observations_key, None)
    if observations is None:
        return ""
    return render(diagnose(observations), Path(str(item.config.rootpath)))


def _raised_at(item: pytest.Item, exc: BaseException) -> str:
    """`\n(raised at file:line (in f): `source`)` for the learner's innermost frame, if any."""
    observations = item.stash.get(observations_key, None)
    if observations is None or observations.learner_file is None:
        return ""
    found = raised(exc, observations.learner_file)
    if found.where is None:
        return ""
    return f"\n(raised at {found.where}" + (f": `{found.line}`)" if found.line else ")")


def _short_message(exc: BaseException, kind: Kind) -> str:
    text = str(exc)
    if kind == "assertion":
        # pytest appends its introspection ("assert 200 == 201") after the message
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("assert ") and index > 0:
                text = "\n".join(lines[:index])
                break
    elif kind == "error":
        text = f"{type(exc).__name__}: {text}"
    return text.strip()


def classified(report: pytest.TestReport | pytest.CollectReport) -> tuple[Kind, str] | None:
    """The (kind, message) that `pytest_runtest_makereport` attached to a report, if any."""
    details = dict(getattr(report, "user_properties", [])).get("fastlings")
    if isinstance(details, tuple) and len(details) == 2:
        return details[0], details[1]
    return None


class ResultCollector:
    """Collects one `CheckResult` per check for `--fastlings-report`."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: list[CheckResult] = []

    def _add(
        self,
        report: pytest.TestReport | pytest.CollectReport,
        outcome: Outcome,
        phase: Phase,
        kind: Kind | None = None,
        message: str | None = None,
    ) -> None:
        found = classified(report)
        if found is not None:
            kind = kind or found[0]
            message = message or found[1]
        nodeid = report.nodeid
        self.results.append(
            CheckResult(
                nodeid=nodeid,
                file=report.fspath,
                name=nodeid.split("::")[-1].split("[")[0] if "::" in nodeid else None,
                outcome=outcome,
                phase=phase,
                kind=kind,
                message=message,
                duration=round(getattr(report, "duration", 0.0), 4),
            )
        )

    def write_now(self, item: pytest.Item, message: str) -> None:
        """The report as it stands, with `item` timed out: the backstop's, before it ends the
        process that would otherwise have written it at the session's end."""
        path = self.config.getoption("--fastlings-report") or os.environ.get(REPORT_ENV)
        if not path:
            return
        results = [
            *self.results,
            CheckResult(
                nodeid=item.nodeid,
                file=item.nodeid.split("::")[0],
                name=item.name.split("[")[0],
                outcome="failed",
                phase="call",
                kind="timeout",
                message=message,
                duration=0.0,
            ),
        ]
        write_report(Path(path), self.config.stash[target_key], 1, results)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            outcome: Outcome = (
                "passed" if report.passed else "skipped" if report.skipped else "failed"
            )
            self._add(report, outcome=outcome, phase="call")
        elif report.when == "setup" and report.skipped:
            self._add(report, outcome="skipped", phase="setup")
        elif report.failed:  # an error in setup or teardown
            teardown = report.when == "teardown"
            self._add(
                report,
                outcome="error",
                phase="teardown" if teardown else "setup",
                kind="error" if teardown else None,
                message=str(report.longrepr)[-2000:] if teardown else None,
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._add(
                report,
                outcome="error",
                phase="collect",
                kind="collection",
                message=str(report.longrepr)[-2000:],
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        path = self.config.getoption("--fastlings-report") or os.environ.get(REPORT_ENV)
        if path:
            write_report(Path(path), self.config.stash[target_key], exitstatus, self.results)
