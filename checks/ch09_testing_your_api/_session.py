"""One pytest session for all the users apps of a chapter 9 run: the learner's tests, once per
app (the correct one first, then each mutant), each copy in a module of its own.

A separate pytest session per app would configure pytest and load its plugins again for every
app. One session does that once, and this plugin keeps the apps as apart as separate sessions
would:

- each app gets its own environment (`DATABASE_URL` for the app's database, `TEST_DATABASE_URL`
  for the tests'), set before its module is imported and before each of its tests;
- the apps run one after the other, the correct app first, each test in pytest's order;
- after an app's last test everything is torn down, session-scoped fixtures included, as at the
  end of a session of its own.

On the correct app, each test that does not pass is reported with the line of the learner's
file it failed at and the answers of 300 and over it received (see `_observed.py`).

The mutants' modules are collected (imported) only after the correct app's tests ran. Unless
`thorough`, no test runs whose outcome cannot change a verdict: no mutant is even imported when
no test passed on the correct app (every mutant check then fails on that alone), and a mutant's
run stops at the first test that passed on the correct app and fails on it (the bug is caught;
the tests before it ran exactly as in a full run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest
from _pytest.runner import runtestprotocol  # pytest's own per-test protocol, as plugins use it

from checks.ch09_testing_your_api._observed import Received, Where, record

CORRECT = "correct"
NOT_NEEDED = "not needed for the verdict (chapter 9 checks)"


@dataclass
class Outcomes:
    """Each test's outcome and a one-line reason, and the collection errors, of one app."""

    tests: dict[str, dict[str, str]] = field(default_factory=dict)
    collect_errors: list[str] = field(default_factory=list)

    def add(self, name: str, report: pytest.TestReport, seen: dict[str, str]) -> None:
        """`seen`: for the correct app, where the test failed ("line") and what it received."""
        if report.when == "call":
            self.tests[name] = {"outcome": report.outcome, "message": reason(report)}
        elif report.failed:  # an error in a fixture, before or after the test
            self.tests[name] = {"outcome": "error", "message": reason(report)}
        elif report.skipped and report.when == "setup":
            self.tests[name] = {"outcome": "skipped", "message": reason(report)}
        else:
            return
        if report.failed:
            self.tests[name].update(seen)


def reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).strip().splitlines()[0][:300]
    text = str(report.longrepr or "").strip().splitlines()
    errors = [line for line in text if line.startswith("E ")]
    return (errors[-1] if errors else (text[-1] if text else ""))[:300]


def passing(tests: dict[str, dict[str, str]]) -> set[str]:
    return {name for name, test in tests.items() if test["outcome"] == "passed"}


@dataclass
class App:
    """One users app (the correct one or a mutant) and the module of tests built for it."""

    name: str
    path: Path  # the built module: the app's source, then the learner's tests
    app_db: str
    new_test_db: Callable[[], str]  # makes the tests' database, when the app is first used
    test_db: str | None = None
    outcomes: Outcomes = field(default_factory=Outcomes)
    where: Where | None = None  # the correct app's only: its failures are reported in full

    def enter(self) -> None:
        if self.test_db is None:
            self.test_db = self.new_test_db()
        os.environ["DATABASE_URL"] = self.app_db
        os.environ["TEST_DATABASE_URL"] = self.test_db

    def forget(self) -> ModuleType | None:
        """Take the built module out of sys.modules (pytest imported it under its stem)."""
        module = sys.modules.get(self.path.stem)
        if module is None or getattr(module, "__file__", None) != str(self.path):
            return None
        del sys.modules[self.path.stem]
        return module


class Apps:
    """The pytest plugin of the one session (see the module's docstring); the session's
    arguments name the correct app's module only.

    The reports are matched to the app whose module is collected, or whose test runs.
    """

    def __init__(self, apps: list[App], *, thorough: bool) -> None:
        self.apps = {app.path.name: app for app in apps}
        self.rank = {app.path.name: index for index, app in enumerate(apps)}
        self.correct = apps[0].outcomes
        self.mutants = apps[1:]
        self.thorough = thorough
        self.caught: set[str] = set()
        self.current: App | None = None  # the app whose module is collected, or test runs
        self.not_needed = False  # the current test is skipped as not needed
        self.received: list[Received] = []  # per correct-app test, what the app answered it
        self.failed_at: dict[str, str] = {}  # nodeid: the learner's line it failed at

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """pytest's loop over the correct app's tests; then, if they can change a verdict, the
        mutants' modules are collected and their tests run the same way."""
        _run(session, session.items, self.needed)
        if self.mutants and (self.thorough or passing(self.correct.tests)):
            if self.thorough:  # run by hand: the mutants' failures read as pytest's own
                pytest.register_assert_rewrite(*(app.path.stem for app in self.mutants))
            # Otherwise their asserts are left as Python's: a test passes or fails the same
            # either way, and of a mutant's tests only whether they fail is read.
            items = session.perform_collect([str(app.path) for app in self.mutants])
            _run(session, [item for item in items if isinstance(item, pytest.Item)], self.needed)
        return True

    def needed(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool:
        """Whether `item` runs at all: not when its app's bug is caught already, unless it is
        the app's last test (whose teardown ends the app's session, see below)."""
        app = self.apps.get(item.path.name)
        if self.thorough or app is None or app.name not in self.caught:
            return True
        return nextitem is None or nextitem.path.name != item.path.name

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.Module):
            self.current = self.apps.get(collector.path.name)
            if self.current is not None:
                self.current.enter()  # the app reads DATABASE_URL when its module is imported

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and self.current is not None:
            self.current.outcomes.collect_errors.append(reason(report))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.current = None
        items.sort(key=lambda item: self.rank.get(item.path.name, len(self.rank)))  # stable

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        """pytest's own protocol, except after an app's last test: then everything is torn
        down, session-scoped fixtures included, as at the end of a session."""
        self.current = self.apps.get(item.path.name)
        self.not_needed = False
        if self.current is None or nextitem is None or nextitem.path.name == item.path.name:
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        runtestprotocol(item, nextitem=None)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self.current is None:
            return
        self.current.enter()
        where = self.current.where
        if where is not None:
            self.received.append(Received())
            record(getattr(getattr(item, "module", None), "app", None), where, self.received)
        if not self.thorough and self.current.name in self.caught:
            self.not_needed = True
            pytest.skip(NOT_NEEDED)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        where = self.current.where if self.current is not None else None
        if where is not None and call.excinfo is not None and item.nodeid not in self.failed_at:
            line = where.learner_line(call.excinfo.tb)
            if line is not None:
                self.failed_at[item.nodeid] = line
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        app = self.current
        if app is None or self.not_needed:
            return
        name = report.nodeid.split("::", 1)[-1]
        seen = {}
        if app.where is not None:
            seen["line"] = self.failed_at.get(report.nodeid, "")
            seen["received"] = "\n".join(self.received[-1].lines if self.received else [])
        app.outcomes.add(name, report, seen)
        if app.name != CORRECT and report.failed and name in passing(self.correct.tests):
            self.caught.add(app.name)


def _run(
    session: pytest.Session,
    items: list[pytest.Item],
    needed: Callable[[pytest.Item, pytest.Item | None], bool],
) -> None:
    """What pytest's own `pytest_runtestloop` does with the collected items, the items not
    `needed` left out (each item's teardown keeps what the next item of its module needs)."""
    for index, item in enumerate(items):
        nextitem = items[index + 1] if index + 1 < len(items) else None
        if not needed(item, nextitem):
            continue
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        if session.shouldfail:
            raise session.Failed(session.shouldfail)
        if session.shouldstop:
            raise session.Interrupted(session.shouldstop)
