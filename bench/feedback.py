"""Feedback-loop benchmark (a benchmark, not a test): how long a learner waits for one check run.

Prints the median of N runs of
  - a one-exercise check run: `pytest <chapter 1 checks file> --target solution`
  - the floor: `python -c "import fastapi, sqlalchemy.ext.asyncio, pydantic, httpx, aiosqlite"`
and their ratio. Runs are interleaved so both see the same machine load.

Learners' Pythons cache bytecode; if PYTHONDONTWRITEBYTECODE is set (some sandboxes set it),
it is removed for the timed child processes so the figure reflects a learner's machine.

Usage: python bench/feedback.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = [sys.executable, "-c", "import fastapi, sqlalchemy.ext.asyncio, pydantic, httpx, aiosqlite"]
TARGET_RATIO = 1.5


def first_checks_file() -> str:
    sys.path.insert(0, str(ROOT))
    from fastlings.manifest import load_course

    entry = load_course(ROOT).entries()[0]
    return entry.checks_path.relative_to(ROOT).as_posix()


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    checks = first_checks_file()
    check = [sys.executable, "-m", "pytest", checks, "--target", "solution", "-q"]
    timed(check, env)  # warm the bytecode and assertion-rewrite caches once
    timed(FLOOR, env)
    floor_times, check_times = [], []
    for _ in range(max(5, args.runs)):
        floor_times.append(timed(FLOOR, env))
        check_times.append(timed(check, env))
    floor, one = statistics.median(floor_times), statistics.median(check_times)
    print(f"runs per command:            {len(floor_times)}")
    print(f"floor (bare imports):        median {floor:.3f} s")
    print(f"one-exercise check (pytest): median {one:.3f} s  ({checks})")
    ratio = one / floor
    verdict = "OK" if ratio <= TARGET_RATIO else "over target"
    print(f"ratio check/floor:           {ratio:.2f}x  (target <= {TARGET_RATIO}x: {verdict})")


if __name__ == "__main__":
    main()
