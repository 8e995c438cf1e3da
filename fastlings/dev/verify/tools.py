"""Gates 5 and 6: ruff, mypy and nbval, each in its own process at a lower priority."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from fastlings.course.manifest import Course, notebook_path

LINT_PATHS = ("fastlings", "checks", "solutions", "exercises", "lessons/examples", "tests", "bench")
TYPED_PATHS = ("fastlings", "checks", "solutions", "lessons/examples")


def _tool(
    root: Path, command: list[str], timeout: float = 900, env: dict[str, str] | None = None
) -> tuple[int, str]:
    # Lint, types and notebooks run beside the checks at a lower priority, so that the checks'
    # concurrency timings (chapter 8) see a machine that is as calm as it can be.
    nice = shutil.which("nice")
    try:
        done = subprocess.run(
            [nice, "-n", "10", *command] if nice else command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except FileNotFoundError:
        return 127, f"{command[0]} is not installed: pip install -e '.[dev]'"
    except subprocess.TimeoutExpired:
        return 124, f"{' '.join(command)} did not finish in {timeout:g}s"
    return done.returncode, (done.stdout + done.stderr).strip()


def _existing(root: Path, names: Iterable[str]) -> list[str]:
    return [name for name in names if (root / name).exists()]


def run_ruff(root: Path) -> tuple[int, str]:
    """Lint, then formatting, of everything but the notebooks."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    paths = _existing(root, LINT_PATHS)
    code, output = _tool(root, [ruff, "check", "--quiet", *paths])
    if code != 0:
        return code, output
    return _tool(root, [ruff, "format", "--check", "--quiet", *paths])


def run_mypy(root: Path) -> tuple[int, str]:
    return _tool(root, [sys.executable, "-m", "mypy", *_existing(root, TYPED_PATHS)])


def run_notebooks(root: Path, course: Course, chapters: tuple[str, ...] = ()) -> tuple[int, str]:
    notebooks = [
        str(notebook_path(root, c).relative_to(root))
        for c in course.chapters
        if notebook_path(root, c).is_file() and (not chapters or c.id in chapters)
    ]
    if not notebooks:
        return 0, "no notebooks"
    sanitize = root / "notebooks" / "sanitize.cfg"
    command = [sys.executable, "-m", "pytest", "-p", "nbval", "--nbval", "-q", "-p"]
    command += ["no:cacheprovider", "--no-header", "-o", "timeout=300", *notebooks]
    if sanitize.is_file():
        command += ["--nbval-sanitize-with", str(sanitize.relative_to(root))]
    # The notebooks run with a temporary folder of their own: whatever they leave in it
    # (a worked example's database, a migrations folder) is a breach, as it would pile up in
    # a reader's /tmp.
    with tempfile.TemporaryDirectory(prefix="fastlings-nbtmp-") as tmp:
        code, output = _tool(root, command, env={**os.environ, "TMPDIR": tmp})
        left = sorted(p.name for p in Path(tmp).iterdir())
    if left and code == 0:
        return 1, f"the notebooks left {len(left)} item(s) in the temporary folder: {left[:5]}"
    return code, output
