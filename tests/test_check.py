"""`fastlings check`: concise output, exit codes, broken and hanging learner files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import FIRST, SECOND, exercise_file, flat, run_cli, solution_file


def test_starter_fails_with_the_teaching_message_and_file(course: Path) -> None:
    done = run_cli(course, "check", FIRST)
    assert done.returncode == 1, done.stderr
    assert f"✗ {FIRST}" in done.stdout
    out = flat(done.stdout)
    assert "Expected:" in out and "(see lessons/ch01_endpoint_structure.md §" in out
    assert "Edit exercises/ch01_endpoint_structure/ex01_users_router.py" in out
    assert "Traceback" not in done.stdout + done.stderr


def test_solution_target_passes_and_fixed_file_passes(course: Path) -> None:
    done = run_cli(course, "check", FIRST, "--target", "solution")
    assert done.returncode == 0, done.stdout
    assert f"✓ {FIRST}" in done.stdout and "10/10 points" in done.stdout
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    assert run_cli(course, "check", FIRST).returncode == 0


def test_check_all_gives_one_line_each_and_a_total(course: Path) -> None:
    exercise_file(course, SECOND).write_bytes(solution_file(course, SECOND).read_bytes())
    done = run_cli(course, "check", "--all")
    assert done.returncode == 1
    assert f"✗ {FIRST}" in done.stdout and f"✓ {SECOND}" in done.stdout
    assert "1/2 exercises pass, 10/20 points" in done.stdout


def test_unknown_exercise_lists_the_closest_names(course: Path) -> None:
    done = run_cli(course, "check", "ex01_user_router")
    assert done.returncode == 2
    assert "Did you mean: ex01_users_router" in done.stderr


def test_syntax_error_is_a_short_panel_with_file_and_line(course: Path) -> None:
    path = exercise_file(course)
    path.write_text(path.read_text().replace("import os", "import os(", 1))
    done = run_cli(course, "check", FIRST)
    assert done.returncode == 1
    out = flat(done.stdout)
    assert "ex01_users_router.py does not import" in out
    assert "ex01_users_router.py:11: SyntaxError" in out
    assert "fastlings hint ex01_users_router" in out
    assert "Traceback" not in done.stdout + done.stderr
    assert len(done.stdout.splitlines()) < 20


def test_import_error_names_the_line(course: Path) -> None:
    path = exercise_file(course)
    path.write_text(path.read_text() + "\nfrom fastapi import NoSuchThing\n")
    done = run_cli(course, "check", FIRST)
    assert done.returncode == 1
    out = flat(done.stdout)
    assert "does not import" in out and "ImportError" in out and ".py:" in out
    assert "Traceback" not in done.stdout + done.stderr


def test_hanging_import_is_stopped_with_a_message(course: Path) -> None:
    path = exercise_file(course)
    path.write_text(path.read_text() + "\nwhile True:\n    pass\n")
    done = run_cli(course, "check", FIRST, "--timeout", "1", timeout=60)
    assert done.returncode == 1
    out = flat(done.stdout)
    assert "Timed out after 1s" in out and "a check timed out" in out
    assert "ex01_users_router.py:" in out


def hang_in_a_worker_thread(path: Path) -> None:
    """A plain `def` endpoint (run in a worker thread) that never returns."""
    text = path.read_text()
    marker = "async def create_user(request: Request):"
    assert marker in text
    loop = "def create_user(request: Request):\n    while True:\n        time.sleep(0.01)\n"
    path.write_text("import time\n" + text.replace(marker, loop + "\n\nasync def _old(request):"))


def test_hanging_handler_is_stopped_and_the_command_exits(course: Path) -> None:
    hang_in_a_worker_thread(exercise_file(course))
    done = run_cli(course, "check", FIRST, "--timeout", "1", timeout=30)
    assert done.returncode == 1
    out = flat(done.stdout)
    assert "Timed out after 1s" in out and "(in create_user)" in out


def spin_in_tasks(path: Path, catch: str) -> None:
    """The endpoint starts two tasks that loop without ever awaiting, catching `catch`: the
    check does not await them, so stopping the first leaves the second spinning."""
    text = path.read_text()
    marker = "async def create_user(request: Request):"
    assert marker in text
    spin = (
        "import asyncio\n\n\nasync def _spin():\n    while True:\n        try:\n"
        f"            while True:\n                pass\n        except {catch}:\n"
        "            pass\n\n\n"
    )
    start = "    for _ in range(2):\n        asyncio.get_running_loop().create_task(_spin())\n"
    path.write_text(spin + text.replace(marker, f"{marker}\n{start}"))


def test_tasks_that_spin_are_stopped_one_by_one(course: Path) -> None:
    """The alarm fires again until the check ends: every spinning task is stopped, and the
    check is reported as timed out, with the learner's line, though it went on after."""
    spin_in_tasks(exercise_file(course), "Exception")
    done = run_cli(course, "check", FIRST, "--timeout", "1", timeout=60)
    assert done.returncode == 1
    out = flat(done.stdout)
    assert "Timed out after 1s. It was running" in out and "(in _spin)" in out, out
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.timeout(60)
def test_a_failed_check_whose_teardown_hangs_is_stopped(course: Path) -> None:
    """pytest-timeout cancels its timer when a check fails; the plugin keeps it until the check
    is over, so a task that refuses to be cancelled cannot hang the teardown for ever."""
    path = exercise_file(course)
    text = path.read_text()
    marker = "async def create_user(request: Request):"
    stubborn = (
        "import asyncio\n\n\nasync def _stubborn():\n    while True:\n        try:\n"
        "            await asyncio.sleep(0.01)\n        except BaseException:\n"
        "            pass\n\n\n"
    )
    start = "    asyncio.get_running_loop().create_task(_stubborn())\n"
    path.write_text(stubborn + text.replace(marker, f"{marker}\n{start}"))
    done = run_cli(course, "check", FIRST, "--timeout", "1", timeout=50)
    assert done.returncode == 1
    said = flat(done.stdout) + done.stderr
    assert "Expected:" in said or "Timed out after 1s" in said, said


@pytest.mark.timeout(60)
def test_a_hang_that_swallows_the_timeout_still_says_so(course: Path) -> None:
    """`except BaseException` swallows every alarm: the backstop ends the run, and says why on
    the terminal (the in-process runner's output is gone with the process)."""
    spin_in_tasks(exercise_file(course), "BaseException")
    done = run_cli(course, "check", FIRST, "--timeout", "1", timeout=60)
    assert done.returncode == 1
    assert "still running 6s after its timeout" in done.stderr, done.stderr
    assert "Timed out after 1s. It was running" in done.stderr and "(in _spin)" in done.stderr
    # A runner in another process (grading, watch's worker) reads the report written first.
    from fastlings.course.manifest import load_course
    from fastlings.run.process import run_checks
    from fastlings.run.spec import RunSpec

    entry = load_course(course).entry(FIRST)
    run = run_checks(course, RunSpec.for_entries([entry], timeout=1), wall_timeout=60)
    timed_out = [r for r in run.results if r.kind == "timeout"]
    assert run.crashed is None and len(timed_out) == 1, (run.crashed, run.results)
    assert "(in _spin)" in (timed_out[0].message or "")


@pytest.mark.skipif(sys.platform == "win32", reason="console script path")
def test_console_script_is_installed(course: Path) -> None:
    import subprocess

    script = Path(sys.executable).parent / "fastlings"
    done = subprocess.run(
        [str(script), "check", FIRST, "--target", "solution"],
        cwd=course,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_ctrl_c_during_a_check_exits_cleanly(course: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    from tests.conftest import FASTLINGS

    path = exercise_file(course)
    path.write_text(path.read_text() + "\nwhile True:\n    pass\n")
    before = path.read_bytes()
    process = subprocess.Popen(
        [*FASTLINGS, "check", FIRST],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in out + err and "Interrupted" in err
    assert path.read_bytes() == before
    assert not (course / ".fastlings" / "progress.json").exists()


def test_check_without_a_name_checks_the_current_exercise(course: Path) -> None:
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    done = run_cli(course, "check")
    assert done.returncode == 1 and f"✗ {SECOND}" in done.stdout
    exercise_file(course, SECOND).write_bytes(solution_file(course, SECOND).read_bytes())
    assert "Every exercise passes" in run_cli(course, "check").stdout
