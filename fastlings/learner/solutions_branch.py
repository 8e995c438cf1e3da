"""`fastlings solutions-branch`: a local branch `solutions` whose `exercises/` hold the
reference solutions, so that `git diff main solutions --` shows every fix (the `--` tells git
that `solutions` names the branch, not the folder of the same name).

Built with git plumbing in a temporary index file (`read-tree`, `update-index`, `write-tree`,
`commit-tree`): the learner's working tree, index and current branch are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from fastlings.course.manifest import Course

BRANCH = "solutions"


class BranchError(Exception):
    """The branch cannot be made; `str()` says why politely."""


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    git = shutil.which("git")
    if git is None:
        raise BranchError("git is not installed, so there is no branch to create.")
    done = subprocess.run(
        [git, "-C", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise BranchError(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def create(course: Course, branch: str = BRANCH) -> tuple[str, str, int]:
    """Create the branch; returns (branch, commit, number of exercises replaced)."""
    root = course.root
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel"))
    except BranchError:
        raise BranchError(
            "This course folder is not a git checkout, so there is no branch to create. "
            "Clone the course with git to use this command."
        ) from None
    exists = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
        capture_output=True,
        check=False,
    )
    if exists.returncode == 0:
        raise BranchError(
            f"A branch called {branch!r} already exists; nothing was changed. "
            f"Delete it first (`git branch -D {branch}`) to rebuild it."
        )
    head = _git(root, "rev-parse", "--verify", "HEAD")
    base = root.resolve().relative_to(top.resolve())
    with tempfile.TemporaryDirectory(prefix="fastlings-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(root, "read-tree", "HEAD", env=env)
        count = 0
        for entry in course.entries():
            if not entry.solution_path.is_file():
                continue
            blob = _git(root, "hash-object", "-w", "--", str(entry.solution_path))
            path = (base / entry.exercise_path.relative_to(root)).as_posix()
            _git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            count += 1
        tree = _git(root, "write-tree", env=env)
    message = (
        "Reference solutions in exercises/\n\n"
        "Made by `fastlings solutions-branch`:\n"
        "`git diff <your branch> solutions --` shows every fix."
    )
    commit = _git(root, "commit-tree", tree, "-p", head, "-m", message)
    _git(root, "branch", branch, commit)
    return branch, commit, count
