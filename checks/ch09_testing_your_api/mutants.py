"""Run a learner's test file against the users app and against broken copies of it.

Mutation testing, by hand. The learner's file holds a copy of the users app, then the line
MARKER, then the learner's tests. Each run builds a module from the canonical app
(`users_app.py`, with one bug planted by a text substitution for a mutant) followed by the
learner's tests, so whatever the learner did to their copy of the app, the tests always face
the app the check means. Good tests pass on the real app and fail on every mutant. The checks of
chapter 9 call `run_all` in their own process (no child process: graded code may not start
any), or a maintainer can run it by hand:

    python -m checks.ch09_testing_your_api.mutants <test file> <report.json>

All the apps' modules run in ONE pytest session, `_session.py` keeping them apart: the correct
app first, then each mutant, each with fresh databases (`DATABASE_URL` for the app's own,
`TEST_DATABASE_URL` for the tests') and torn down as a session of its own would be. The session
uses the course's pytest configuration plus anyio's plugin (`-p anyio`, not auto-loaded under
`--disable-plugin-autoload`), so that tests in FastAPI's docs style (`@pytest.mark.anyio`) run
as well as pytest-asyncio ones. pytest-asyncio runs in strict mode: the file must mark its
async tests and fixtures itself, as it would in any project. The checks skip the tests whose
outcome cannot change a verdict; run by hand, every test runs against every app.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.ch09_testing_your_api._observed import Where
from checks.ch09_testing_your_api._session import CORRECT, App, Apps
from fastlings.plugin import databases
from fastlings.scratch import temporary

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


def module_source(tests: str, mutant: str | None) -> str:
    """The module a run imports: the app (with `mutant`'s bug planted), then `tests`."""
    return '"""Built by the chapter 9 checks."""\n\n' + app_source(mutant) + MARKER + tests


def run_all(
    test_file: Path,
    base_url: str | None = None,
    mutants: tuple[str, ...] | None = None,
    *,
    thorough: bool = False,
) -> dict[str, Any]:
    """Run `test_file`'s tests against the correct app and each of `mutants` (default: all),
    in one pytest session in this process (see `_session.py`).

    Unless `thorough`, a mutant's tests stop at the first that catches it, and no mutant runs
    when no test passes on the correct app: the verdicts are those of a full run.
    The environment is restored afterwards, so the calling check run goes on as before.
    `base_url` is a database for the tests' own databases to be made beside (None: SQLite).
    Raises LearnerFileError when the file has no MARKER line.
    """
    tests = tests_part(test_file)  # fail early, and the same way for every run
    names = (CORRECT, *(MUTANTS if mutants is None else mutants))
    saved_env = {name: os.environ.get(name) for name in ("DATABASE_URL", "TEST_DATABASE_URL")}
    try:
        # In RAM when the machine has it: the modules, the apps' SQLite files, tmp_path.
        scratch = temporary("mutants", databases.scratch_base())
        with scratch as folder, contextlib.ExitStack() as databases_made:

            def new_test_db() -> str:
                return databases_made.enter_context(databases.fresh_database(base_url))

            apps = []
            for name in names:
                path = folder / f"{test_file.stem}__{name}.py"
                try:
                    source = module_source(tests, None if name == CORRECT else name)
                except RuntimeError as exc:  # a broken users_app.py is the course's bug
                    raise RuntimeError(f"cannot build the {name} users app: {exc!r}") from exc
                path.write_text(source, encoding="utf-8")
                app_db = f"sqlite+aiosqlite:///{folder / name}.db"
                apps.append(App(name, path, app_db, new_test_db))
            apps[0].where = where_in(apps[0].path, test_file)
            return _run(apps, folder, thorough=thorough)
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def where_in(built: Path, test_file: Path) -> Where:
    """How the built module's lines map to the learner's file (the tests part is the same)."""
    marker_in_built = built.read_text(encoding="utf-8").split(MARKER, 1)[0].count("\n") + 1
    marker_in_file = test_file.read_text(encoding="utf-8").split(MARKER, 1)[0].count("\n") + 1
    return Where(os.path.realpath(built), marker_in_built + 1, marker_in_file - marker_in_built)


def _run(apps: list[App], folder: Path, *, thorough: bool) -> dict[str, Any]:
    args = [
        str(apps[0].path),  # the correct app's module: the mutants' are collected later
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",  # the modules' own folder: pytest collects nothing above it
        str(folder),
        "-p",
        "anyio",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=strict",
        "-o",
        "timeout=10",
        "--basetemp",
        str(folder / "tmp"),
        "--continue-on-collection-errors",  # one app's import error stops no other app
        "--tb=native",  # the cheapest traceback; `reason` keeps only the crash line, the same
        "-q",
        "--no-header",
    ]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main(args, plugins=[Apps(apps, thorough=thorough)])
    finally:
        modules = [app.forget() for app in apps]
        if str(folder) in sys.path:  # pytest put the modules' folder there to import them
            sys.path.remove(str(folder))
    engines = [getattr(m, "engine", None) for m in modules]
    asyncio.run(_dispose([e for e in engines if isinstance(e, AsyncEngine)]))
    results = {}
    for app, module in zip(apps, modules, strict=True):
        overrides = getattr(getattr(module, "app", None), "dependency_overrides", {})
        results[app.name] = {
            "tests": app.outcomes.tests,
            "collect_errors": app.outcomes.collect_errors,
            "leftover_overrides": [getattr(key, "__name__", repr(key)) for key in overrides],
        }
    return results


async def _dispose(engines: list[AsyncEngine]) -> None:
    for engine in engines:
        await engine.dispose()


def main(argv: list[str]) -> int:
    test_file, report = Path(argv[0]), Path(argv[1])
    results = run_all(test_file, os.environ.get(BASE_DB_URL_ENV) or None, thorough=True)
    report.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
