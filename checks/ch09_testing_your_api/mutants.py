"""Run a learner's test file against the users app and against broken copies of it.

Mutation testing, by hand. The learner's file holds a copy of the users app, then the line
MARKER, then the learner's tests. Each run builds a module from the canonical app
(`users_app.py`, with one bug planted by a text substitution for a mutant) followed by the
learner's tests, so whatever the learner did to their copy of the app, the tests always face
the app the check means. Good tests pass on the real app and fail on every mutant. The checks of
chapter 9 call `run_all` in their own process (no child process: graded code may not start
any), or a maintainer can run it by hand:

    python -m checks.ch09_testing_your_api.mutants <test file> <report.json>

Each run gets fresh databases (`DATABASE_URL` for the app's own, `TEST_DATABASE_URL` for the
tests'), and runs with the course's pytest configuration plus anyio's plugin (`-p anyio`, not
auto-loaded under `--disable-plugin-autoload`), so that tests in FastAPI's docs style
(`@pytest.mark.anyio`) run as well as pytest-asyncio ones. pytest-asyncio runs in strict mode:
the file must mark its async tests and fixtures itself, as it would in any project.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from fastlings.plugin import databases

APP_PATH = Path(__file__).with_name("users_app.py")
ROOT = APP_PATH.parents[2]
BASE_DB_URL_ENV = "FASTLINGS_MUTANTS_DB_URL"  # the server for the tests' databases, if any
MARKER = "# ---- Your tests start here ----\n"


class LearnerFileError(Exception):
    """The learner's file cannot be split into app and tests: the learner's to fix."""


@dataclass(frozen=True)
class Mutant:
    bug: str  # what is broken, as a failure message would say it
    old: str
    new: str


MUTANTS: dict[str, Mutant] = {
    "status_200": Mutant(
        bug="POST /users answers 200 instead of 201",
        old='@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)',
        new='@router.post("", response_model=UserRead)',
    ),
    "leaks_hash": Mutant(
        bug="POST /users and GET /users/{id} return the password hash",
        old="    id: int\n    email: str\n    name: str\n",
        new="    id: int\n    email: str\n    name: str\n    password_hash: str\n",
    ),
    "no_email_validation": Mutant(
        bug="POST /users accepts any string as the email ('not-an-email' gets 201)",
        old="    email: EmailStr\n",
        new="    email: str\n",
    ),
    "ignores_override": Mutant(
        bug="the endpoints open their own session on the app's database instead of using "
        "get_db, so app.dependency_overrides[get_db] has no effect",
        old="SessionDep = Annotated[AsyncSession, Depends(get_db)]\n",
        new="""async def get_app_db() -> AsyncIterator[AsyncSession]:
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with SessionLocal() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_app_db)]
""",
    ),
}


def app_body() -> str:
    """users_app.py without its module docstring: the code the learner's file copies."""
    source = APP_PATH.read_text(encoding="utf-8")
    if not source.startswith('"""'):
        return source
    return source[source.index('"""', 3) + 3 :].lstrip("\n")


def app_source(mutant: str | None) -> str:
    source = app_body()
    if mutant is None:
        return source
    plant = MUTANTS[mutant]
    if source.count(plant.old) != 1:  # users_app.py changed: the mutant must be updated
        raise RuntimeError(f"mutant {mutant}: {plant.old!r} is not in {APP_PATH.name} once")
    return source.replace(plant.old, plant.new)


def tests_part(test_file: Path) -> str:
    text = test_file.read_text(encoding="utf-8")
    if MARKER not in text:
        raise LearnerFileError(
            f"{test_file.name} has lost the line {MARKER.strip()!r} that separates the users "
            "app from your tests; put it back above your first import of the tests"
        )
    return text.split(MARKER, 1)[1]


def module_source(test_file: Path, mutant: str | None) -> str:
    return (
        '"""Built by the chapter 9 checks."""\n\n'
        + app_source(mutant)
        + MARKER
        + (tests_part(test_file))
    )


class Outcomes:
    """A pytest plugin that records each test's outcome and a one-line reason."""

    def __init__(self) -> None:
        self.tests: dict[str, dict[str, str]] = {}
        self.collect_errors: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.split("::", 1)[-1]
        if report.when == "call":
            self.tests[name] = {"outcome": report.outcome, "message": _reason(report)}
        elif report.failed:  # an error in a fixture, before or after the test
            self.tests[name] = {"outcome": "error", "message": _reason(report)}
        elif report.skipped and report.when == "setup":
            self.tests[name] = {"outcome": "skipped", "message": _reason(report)}

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(_reason(report))


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message).strip().splitlines()[0][:300]
    text = str(report.longrepr or "").strip().splitlines()
    errors = [line for line in text if line.startswith("E ")]
    return (errors[-1] if errors else (text[-1] if text else ""))[:300]


def forget(path: Path) -> ModuleType | None:
    """Drop the test module imported from `path` from sys.modules (the next run imports afresh)
    and return it."""
    resolved = path.resolve()
    found = None
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == resolved:
            found = module
            del sys.modules[name]
    return found


def run_one(
    test_file: Path, mutant: str | None, scratch: Path, base_url: str | None
) -> dict[str, Any]:
    name = mutant or "correct"
    folder = scratch / name
    folder.mkdir()
    built = folder / test_file.name
    try:
        built.write_text(module_source(test_file, mutant), encoding="utf-8")
    except RuntimeError as exc:  # a broken users_app.py is the course's bug, not the learner's
        raise RuntimeError(f"cannot build the {name} users app: {exc!r}") from exc
    with databases.fresh_database(base_url) as test_url:
        os.environ["TEST_DATABASE_URL"] = test_url
        os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'app.db'}"
        outcomes = Outcomes()
        record: dict[str, Any] = {"tests": outcomes.tests, "collect_errors": []}
        args = [
            str(built),
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            "-p",
            "anyio",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=strict",
            "-o",
            "timeout=10",
            "-q",
            "--no-header",
        ]
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main(args, plugins=[outcomes])
        record["collect_errors"] = outcomes.collect_errors
        module = forget(built)
        app = getattr(module, "app", None)
        overrides = getattr(app, "dependency_overrides", {})
        record["leftover_overrides"] = [getattr(key, "__name__", repr(key)) for key in overrides]
        engine = getattr(module, "engine", None)
        if isinstance(engine, AsyncEngine):
            asyncio.run(engine.dispose())
        return record


def run_all(
    test_file: Path, base_url: str | None = None, mutants: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Run `test_file`'s tests against the correct app and each of `mutants` (default: all),
    in this process.

    The environment is restored afterwards, so the calling check run goes on as before.
    `base_url` is a database for the tests' own databases to be made beside (None: SQLite).
    Raises LearnerFileError when the file has no MARKER line.
    """
    tests_part(test_file)  # fail early, and the same way for every run
    saved_env = {name: os.environ.get(name) for name in ("DATABASE_URL", "TEST_DATABASE_URL")}
    results: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="fastlings-mutants-") as folder:
            for mutant in (None, *(MUTANTS if mutants is None else mutants)):
                results[mutant or "correct"] = run_one(test_file, mutant, Path(folder), base_url)
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return results


def main(argv: list[str]) -> int:
    test_file, report = Path(argv[0]), Path(argv[1])
    results = run_all(test_file, os.environ.get(BASE_DB_URL_ENV) or None)
    report.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
