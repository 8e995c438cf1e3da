"""Odd states on a learner's machine get a short message, never a traceback, and lose nothing;
`list` fits 80 columns; `hint` with no name uses the current exercise; no leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FASTLINGS, FIRST, exercise_file, flat, run_cli


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr


def test_check_with_progress_json_as_a_folder_says_so_and_keeps_it(course: Path) -> None:
    folder = course / ".fastlings" / "progress.json"
    (folder / "mine").mkdir(parents=True)
    done = run_cli(course, "check", FIRST)
    no_traceback(done)
    assert done.returncode == 1  # the starter fails; the command still reports it
    assert "Progress is not cached" in done.stderr and "is a folder" in done.stderr
    assert (folder / "mine").is_dir()


def test_check_with_the_state_folder_as_a_file_says_so_and_keeps_it(course: Path) -> None:
    (course / ".fastlings").write_text("my notes\n")
    done = run_cli(course, "check", FIRST)
    no_traceback(done)
    assert done.returncode == 1 and "is a file, where a folder belongs" in done.stderr
    assert (course / ".fastlings").read_text() == "my notes\n"


def test_diff_on_a_file_that_is_not_utf8(course: Path) -> None:
    path = exercise_file(course)
    path.write_bytes(path.read_bytes() + b"\n# caf\xe9\n")
    done = run_cli(course, "diff", FIRST, "--yes")
    no_traceback(done)
    assert done.returncode == 0 and "(reference)" in done.stdout


def test_reset_when_the_exercise_path_is_a_folder(course: Path) -> None:
    path = exercise_file(course)
    path.unlink()
    (path / "kept.txt").parent.mkdir()
    (path / "kept.txt").write_text("mine")
    done = run_cli(course, "reset", FIRST, "--yes")
    no_traceback(done)
    assert done.returncode == 1 and "is a folder" in done.stderr
    assert (path / "kept.txt").read_text() == "mine"


def test_list_fits_80_columns_with_mark_id_and_points(course: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    done = subprocess.run(
        [*FASTLINGS, "list"], cwd=course, env=env, capture_output=True, text=True, check=False
    )
    no_traceback(done)
    rows = [line for line in done.stdout.splitlines() if "users_router" in line]
    assert len(rows) == 2, done.stdout
    for row in rows:
        assert len(row) <= 80, row
        assert row[0] in "✓✗·>" and "/10" in row, row


def test_hint_without_a_name_uses_the_current_exercise(course: Path) -> None:
    done = run_cli(course, "hint")
    no_traceback(done)
    assert done.returncode == 0 and "Hint 1/" in flat(done.stdout), done.stdout


def test_check_all_and_a_notebook_leave_nothing_in_tmp_or_ram(course: Path, tmp_path: Path) -> None:
    tmp, ram = tmp_path / "tmp", tmp_path / "ram"
    tmp.mkdir()
    ram.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(tmp), "FASTLINGS_RAM_DIR": str(ram)}
    done = subprocess.run(
        [*FASTLINGS, "check", "--all"], cwd=course, env=env, capture_output=True, text=True
    )
    no_traceback(done)
    notebook = (
        "from fastlings.notebook import load\n"
        f"load({FIRST!r}, 'exercise'); load({FIRST!r}, 'solution')\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", notebook],
        cwd=course / "notebooks",
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert list(tmp.iterdir()) == [] and list(ram.iterdir()) == []
