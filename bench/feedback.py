"""How fast is feedback? Medians over several runs, as ratios to the floor.

The floor is a bare `python -c "import fastapi, sqlalchemy.ext.asyncio, pydantic, httpx,
aiosqlite"`: no check can be cheaper than importing what it checks. Measured, in rounds that
interleave the commands so that a busy machine slows them all alike:

  pytest   `python -m pytest checks/<first exercise> --target solution` (target <= 1.5x)
  check    `fastlings check <first exercise>`, the whole process (target <= 1.5x)
  list     `fastlings list` over the whole course with nothing changed (target <= 1.0x)
  watch    watch mode, from writing the exercise file to its result line (target <= 0.5x)
  slowest  `fastlings check <id> --target exercise|solution` for EVERY exercise once, then the
           three slowest of each target again `--runs` times: the slowest starter's and the
           slowest solution's median (target <= 2x); `--quick` skips it

Run from the course root: `python bench/feedback.py [--runs 7]`. It works on a copy of the
course in a temporary folder, so the learner's files are never touched.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FASTLINGS = [PYTHON, "-m", "fastlings"]
FLOOR = [PYTHON, "-c", "import fastapi, sqlalchemy.ext.asyncio, pydantic, httpx, aiosqlite"]


def copy_course(target: Path) -> Path:
    for name in ("course.toml", "pyproject.toml"):
        shutil.copy(ROOT / name, target / name)
    for name in ("exercises", "solutions", "checks", "lessons", "notebooks"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name)
    return target


CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path, env: dict[str, str], name: str = "") -> float:
    """Wall-clock seconds; the CPU seconds of the process are kept in CPU[name]."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if name:
        CPU.setdefault(name, []).append(_children_cpu() - cpu)
    return elapsed


def watch_latencies(root: Path, exercise: Path, runs: int, env: dict[str, str]) -> list[float]:
    """Start watch mode, then write the exercise file and wait for its result line."""
    process = subprocess.Popen(
        FASTLINGS,
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    assert process.stdout is not None
    stream = process.stdout

    def pump() -> None:
        for line in stream:
            lines.put((time.perf_counter(), line))

    threading.Thread(target=pump, daemon=True).start()

    def result_after(start: float, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                stamp, line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if "checks pass" in line and stamp >= start:
                return stamp - start
        raise RuntimeError("watch mode did not answer")

    original = exercise.read_text(encoding="utf-8")
    latencies: list[float] = []
    try:
        result_after(0.0, timeout=120)  # the first run, at start-up
        for index in range(runs + 1):
            time.sleep(0.6)  # let the worker prepare the next run, as a learner's typing would
            while not lines.empty():
                lines.get_nowait()
            start = time.perf_counter()
            exercise.write_text(original + f"\n# edit {index}\n", encoding="utf-8")
            latency = result_after(start)
            if index:  # the first save after start-up warms the file system cache
                latencies.append(latency)
    finally:
        exercise.write_text(original, encoding="utf-8")
        if process.stdin:
            process.stdin.write("q\n")
            process.stdin.flush()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measure (>= 5)")
    parser.add_argument("--quick", action="store_true", help="skip timing every exercise")
    options = parser.parse_args()
    runs = max(5, options.runs)
    sys.path.insert(0, str(ROOT))
    from fastlings.course.manifest import load_course

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("FASTLINGS_ROOT", None)
    with tempfile.TemporaryDirectory(prefix="fastlings-bench-") as scratch:
        root = copy_course(Path(scratch))
        entry = load_course(root).entries()[0]
        checks = str(entry.checks_path.relative_to(root))
        commands = {
            "floor": FLOOR,
            "pytest": [
                PYTHON,
                "-m",
                "pytest",
                checks,
                "--target",
                "solution",
                "-q",
                "-p",
                "no:cacheprovider",
            ],
            "check": [*FASTLINGS, "check", entry.id],
            "list": [*FASTLINGS, "list"],
        }
        subprocess.run([*FASTLINGS, "list"], cwd=root, env=env, capture_output=True, check=False)
        for command in commands.values():  # warm the disk cache and the bytecode
            timed(command, root, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(timed(command, root, env, name))
        times["watch"] = watch_latencies(root, entry.exercise_path, runs, env)
        times["floor"] += [timed(FLOOR, root, env, "floor") for _ in range(runs)]
        slowest = {} if options.quick else every_exercise(root, env, runs)
        times["floor"] += [timed(FLOOR, root, env, "floor") for _ in range(runs)]
    floor = statistics.median(times["floor"])
    floor_cpu = statistics.median(CPU["floor"])
    targets = {"pytest": 1.5, "check": 1.5, "list": 1.0, "watch": 0.5}
    print(f"wall-clock medians over {runs} runs; CPU seconds (user+sys) of the process beside")
    print(f"{'measure':<8} {'median':>8} {'ratio':>7} {'target':>7}        {'cpu':>7} {'ratio':>7}")
    print(
        f"{'floor':<8} {floor:>7.3f}s {1.0:>6.2f}x {'':>7}        {floor_cpu:>6.3f}s {1.0:>6.2f}x"
    )
    for name, target in targets.items():
        median = statistics.median(times[name])
        verdict = "ok  " if median / floor <= target else "OVER"
        line = f"{name:<8} {median:>7.3f}s {median / floor:>6.2f}x {target:>6.1f}x  {verdict}"
        if name in CPU:
            cpu = statistics.median(CPU[name])
            line += f"  {cpu:>6.3f}s {cpu / floor_cpu:>6.2f}x"
        print(line)
    for which, (ident, median) in slowest.items():
        verdict = "ok  " if median / floor <= 2.0 else "OVER"
        print(
            f"slowest {which:<8} {median:>6.3f}s {median / floor:>6.2f}x {2.0:>6.1f}x  {verdict}"
            f"  {ident}"
        )


def every_exercise(root: Path, env: dict[str, str], runs: int) -> dict[str, tuple[str, float]]:
    """Each target's slowest exercise check: (id, median seconds)."""
    from fastlings.course.manifest import load_course

    ids = [e.id for e in load_course(root).entries()]
    found: dict[str, tuple[str, float]] = {}
    for target in ("exercise", "solution"):
        once = {i: timed([*FASTLINGS, "check", i, "--target", target], root, env) for i in ids}
        candidates = sorted(once, key=once.__getitem__, reverse=True)[:3]
        medians = {}
        for ident in candidates:
            command = [*FASTLINGS, "check", ident, "--target", target]
            medians[ident] = statistics.median(timed(command, root, env) for _ in range(runs))
        worst = max(medians, key=medians.__getitem__)
        found["starter" if target == "exercise" else "solution"] = (worst, medians[worst])
    return found


if __name__ == "__main__":
    main()
