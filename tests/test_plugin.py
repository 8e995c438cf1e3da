"""The check plugin: --target, the header, teaching reports, broken and hanging learner code."""

import json
from pathlib import Path

import pytest

STARTER = Path("exercises/ch01_ping/ex01_ping.py")
CHECKS = "checks/ch01_ping/test_ex01_ping.py"


def test_default_target_is_the_learners_exercise(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    result = pytester.runpytest_subprocess(CHECKS)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["fastlings: target=exercise (exercises/)*"])
    result.stdout.fnmatch_lines(
        ["*GET /ping answered {'pong': False}*", "*Expected: {'pong': True}*"]
    )


def test_target_option_switches_to_the_solution(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    result = pytester.runpytest_subprocess(CHECKS, "--target", "solution")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["fastlings: target=solution (solutions/)*"])


def test_target_environment_variable(
    pytester: pytest.Pytester, tiny_course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTLINGS_TARGET", "solution")
    pytester.runpytest_subprocess(CHECKS).assert_outcomes(passed=2)
    monkeypatch.setenv("FASTLINGS_TARGET", "nonsense")
    result = pytester.runpytest_subprocess(CHECKS)
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*FASTLINGS_TARGET='nonsense'*exercise, solution*"])


def test_a_clean_run_prints_no_warnings(pytester: pytest.Pytester, tiny_course: Path) -> None:
    result = pytester.runpytest_subprocess(CHECKS, "--target", "solution", "-W", "error")
    result.assert_outcomes(passed=2)
    assert "warnings summary" not in result.stdout.str()
    assert " warning" not in result.stdout.str().splitlines()[-1]


def test_syntax_error_is_short_and_names_file_and_line(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    source = (tiny_course / STARTER).read_text().replace("return {", "return {{", 1)
    (tiny_course / STARTER).write_text(source)
    result = pytester.runpytest_subprocess(CHECKS)
    result.assert_outcomes(errors=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([f"*{STARTER}:9: SyntaxError*", "*Python cannot read this file*"])
    # short: no traceback through pytest or importlib internals
    assert "importlib" not in out and "_pytest" not in out, out
    error_block = out.split("ERROR at setup of test_ping_answers_pong")[1].split("____")[0]
    assert len(error_block.strip().splitlines()) <= 6, error_block


def test_import_error_names_the_learners_line(pytester: pytest.Pytester, tiny_course: Path) -> None:
    source = (
        (tiny_course / STARTER)
        .read_text()
        .replace("app = FastAPI()", "app = FastAPI()\nboom = 1 / 0")
    )
    (tiny_course / STARTER).write_text(source)
    result = pytester.runpytest_subprocess(CHECKS)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([f"*{STARTER}:4: ZeroDivisionError: division by zero*"])


def test_other_exercises_are_unaffected_by_a_broken_one(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    """A second exercise whose starter cannot even be parsed breaks only its own checks."""
    pytester.makepyfile(**{"exercises/ch01_ping/ex02_broken": "def oops(:\n"})
    pytester.makepyfile(
        **{"checks/ch01_ping/test_ex02_broken": ("def test_anything(module):\n    assert module\n")}
    )
    manifest = tiny_course / "course.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[[chapters.exercises]]\nid = "ex02_broken"\ntitle = "Broken"\nsection = "1.1 Ping"\n'
        'points = 5\nhints = ["a", "b"]\nfailing_checks = ["test_anything"]\n'
    )
    result = pytester.runpytest_subprocess("checks")
    result.assert_outcomes(passed=1, failed=1, errors=1)


def test_hanging_code_times_out_with_a_pointer(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    source = (
        (tiny_course / STARTER)
        .read_text()
        .replace('    return {"pong": False}', "    while True:\n        pass")
    )
    (tiny_course / STARTER).write_text(source)
    result = pytester.runpytest_subprocess(CHECKS, "-o", "timeout=1")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [f"*Timed out after 1s. It was running {STARTER}:9 (in ping)*", "*infinite loop*"]
    )


def test_report_records_kind_and_teaching_message(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    report = tiny_course / "report.json"
    pytester.runpytest_subprocess(CHECKS, f"--fastlings-report={report}")
    payload = json.loads(report.read_text())
    assert payload["target"] == "exercise"
    records = {r["name"]: r for r in payload["results"]}
    failing = records["test_ping_answers_pong"]
    assert (failing["outcome"], failing["phase"], failing["kind"]) == (
        "failed",
        "call",
        "assertion",
    )
    assert failing["message"].startswith("GET /ping answered {'pong': False}")
    assert "assert " not in failing["message"]  # pytest's introspection is not the lesson
    assert records["test_ping_is_get"]["outcome"] == "passed"


def test_each_check_gets_a_fresh_database(pytester: pytest.Pytester, tiny_course: Path) -> None:
    pytester.makepyfile(
        **{
            "checks/ch01_ping/test_ex01_ping": """
from sqlalchemy import text

async def test_one(engine, db_url, module):
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    import os
    assert os.environ["DATABASE_URL"] == db_url

async def test_two(engine):
    async with engine.connect() as conn:
        tables = (await conn.execute(text("SELECT name FROM sqlite_master"))).all()
    assert tables == []
"""
        }
    )
    pytester.runpytest_subprocess(CHECKS, "-p", "no:randomly").assert_outcomes(passed=2)


def test_a_session_left_open_is_finalised_before_the_check_ends(
    pytester: pytest.Pytester, tiny_course: Path
) -> None:
    """A session the code never closed, held in a reference cycle, would keep its connection
    checked out until some later garbage collection, after the check's event loop has closed;
    the engine fixture collects it while the loop still runs."""
    pytester.makepyfile(
        **{
            "checks/ch01_ping/test_ex01_ping": """
import gc

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

def fairies():
    return [o for o in gc.get_objects() if type(o).__name__ == "_ConnectionFairy"]

async def test_one(engine):
    gc.disable()  # only the plugin's own collection may finalise the session
    session = AsyncSession(engine)
    await session.execute(text("SELECT 1"))
    cycle = {"session": session}
    cycle["cycle"] = cycle
    assert len(fairies()) == 1

async def test_two():
    left = fairies()
    gc.enable()
    assert left == []
"""
        }
    )
    result = pytester.runpytest_subprocess(CHECKS, "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_a_pytest_internal_error_is_a_crash_not_a_short_run(tmp_path: Path) -> None:
    from fastlings.run.record import read_report

    report = tmp_path / "report.json"
    report.write_text(json.dumps({"results": []}), encoding="utf-8")
    assert read_report(report, "exercise", 1).crashed is None
    crashed = read_report(report, "exercise", int(pytest.ExitCode.INTERNAL_ERROR)).crashed
    assert crashed is not None and "internal error after 0 check(s)" in crashed


def test_one_timeout_default_for_pytest_and_every_command() -> None:
    import tomllib

    from fastlings.run.spec import DEFAULT_TIMEOUT

    ini = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert float(ini["tool"]["pytest"]["ini_options"]["timeout"]) == DEFAULT_TIMEOUT


def test_the_audit_hooks_record_keys_are_the_records_fields() -> None:
    from dataclasses import fields

    from fastlings.run.record import NODEID, OUTCOME, PHASE, CheckResult

    assert {NODEID, OUTCOME, PHASE} <= {f.name for f in fields(CheckResult)}
