"""`hint`, `reset` (and undo: nothing lost, byte for byte), `diff`, `solutions-branch`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastlings.course.manifest import load_course
from fastlings.course.starters import git_toplevel
from tests.conftest import FIRST, build_course, exercise_file, git, run_cli, solution_file

WORK = "# my work\r\nprint('naïve ☃')\n\x00\n".encode()


def test_hints_one_more_each_time_and_remembered(course: Path) -> None:
    total = len(load_course(course).entry(FIRST).exercise.hints)
    assert total >= 2
    for shown in range(1, total + 1):
        done = run_cli(course, "hint", FIRST)
        assert all(f"Hint {n}/{total}" in done.stdout for n in range(1, shown + 1))
        assert f"Hint {shown + 1}/{total}" not in done.stdout
    last = run_cli(course, "hint", FIRST)
    assert "last hint" in last.stdout and "fastlings diff" in last.stdout


def test_reset_then_undo_keeps_the_work_byte_for_byte(course: Path) -> None:
    path = exercise_file(course)
    starter = path.read_bytes()
    path.write_bytes(WORK)
    done = run_cli(course, "reset", FIRST, "--yes")
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == starter
    backups = list((course / ".fastlings" / "backups").rglob("*.py"))
    assert len(backups) == 1 and backups[0].read_bytes() == WORK
    assert str(backups[0].relative_to(course)) in done.stdout
    undone = run_cli(course, "reset", FIRST, "--undo", "--yes")
    assert undone.returncode == 0, undone.stderr
    assert path.read_bytes() == WORK


def test_reset_restores_the_starter_after_the_learner_committed(course: Path) -> None:
    path = exercise_file(course)
    starter = path.read_bytes()
    path.write_bytes(WORK)
    git(course, "commit", "-q", "-am", "my work")
    assert run_cli(course, "reset", FIRST, "--yes").returncode == 0
    assert path.read_bytes() == starter


def test_reset_asks_first_and_touches_nothing_without_yes(course: Path) -> None:
    path = exercise_file(course)
    path.write_bytes(WORK)
    done = run_cli(course, "reset", FIRST)
    assert done.returncode == 1 and "--yes" in done.stderr
    assert path.read_bytes() == WORK
    assert not (course / ".fastlings" / "backups").exists()


def test_reset_outside_git_uses_the_saved_copy(tmp_path: Path) -> None:
    root = build_course(tmp_path / "plain", with_git=False)
    if git_toplevel(root) is not None:  # tmp inside some repository: nothing to prove here
        return
    path = exercise_file(root)
    starter = path.read_bytes()
    assert run_cli(root, "list").returncode == 0  # first sight: the starter copy is saved
    path.write_bytes(WORK)
    assert run_cli(root, "reset", FIRST, "--yes").returncode == 0
    assert path.read_bytes() == starter


def test_diff_asks_before_peeking_then_shows_the_fix(course: Path) -> None:
    refused = run_cli(course, "diff", FIRST)
    assert refused.returncode == 1 and "does not pass yet" in refused.stderr
    shown = run_cli(course, "diff", FIRST, "--yes")
    assert shown.returncode == 0
    assert "(yours)" in shown.stdout and "(reference)" in shown.stdout
    assert any(line.startswith("+") for line in shown.stdout.splitlines())
    exercise_file(course).write_bytes(solution_file(course).read_bytes())
    same = run_cli(course, "diff", FIRST)
    assert same.returncode == 0 and "identical" in same.stdout


def test_diff_is_coloured_on_a_terminal(course: Path) -> None:
    from rich.console import Console

    from fastlings.course.manifest import load_course
    from fastlings.learner import diff

    console = Console(force_terminal=True, color_system="standard", width=100)
    with console.capture() as captured:
        diff.show(console, diff.unified(load_course(course).entry(FIRST)))
    assert "\x1b[32m" in captured.get() and "\x1b[31m" in captured.get()


def test_solutions_branch_leaves_the_working_tree_alone(course: Path) -> None:
    exercise_file(course).write_bytes(WORK)  # uncommitted work
    before = git(course, "status", "--porcelain")
    done = run_cli(course, "solutions-branch")
    assert done.returncode == 0, done.stderr
    assert "git diff HEAD solutions --" in done.stdout
    assert git(course, "status", "--porcelain") == before
    assert exercise_file(course).read_bytes() == WORK
    assert git(course, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    changed = git(course, "diff", "--name-only", "main", "solutions", "--").split()
    assert "exercises/ch01_endpoint_structure/ex01_users_router.py" in changed
    shown = git(course, "show", "solutions:exercises/ch01_endpoint_structure/ex01_users_router.py")
    assert shown == solution_file(course).read_text()
    again = run_cli(course, "solutions-branch")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_solutions_branch_refuses_outside_git(tmp_path: Path) -> None:
    root = build_course(tmp_path / "plain", with_git=False)
    if git_toplevel(root) is not None:
        return
    done = run_cli(root, "solutions-branch")
    assert done.returncode == 1 and "not a git checkout" in done.stderr
    assert subprocess.run(["git", "-C", str(root), "status"], capture_output=True).returncode


def test_reset_in_a_clone_takes_the_starter_from_upstream(course: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(course), str(clone)], check=True)
    path = exercise_file(clone)
    starter = path.read_bytes()
    path.write_bytes(WORK)
    git(clone, "commit", "-q", "-am", "my work")
    done = run_cli(clone, "reset", FIRST, "--yes")
    assert done.returncode == 0, done.stderr
    assert "origin/main" in done.stdout
    assert path.read_bytes() == starter


def test_undo_without_a_backup_and_unknown_names_say_so(course: Path) -> None:
    done = run_cli(course, "reset", FIRST, "--undo", "--yes")
    assert done.returncode == 1 and "no backup" in done.stderr
    unknown = run_cli(course, "hint", "users_router")
    assert unknown.returncode == 2 and "ex01_users_router" in unknown.stderr


def test_reset_when_the_course_is_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = build_course(repo / "course", with_git=False)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "course in a subfolder")
    path = exercise_file(root)
    starter = path.read_bytes()
    path.write_bytes(WORK)
    git(repo, "commit", "-q", "-am", "my work")
    assert run_cli(root, "reset", FIRST, "--yes").returncode == 0
    assert path.read_bytes() == starter
