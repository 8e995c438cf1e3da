"""Benchmark: one learner in the sandbox vs `fastlings check --all`, then a class of 60.

    python bench/grade_class.py [--learners 60] [--jobs 2] [--rounds 3] [--skip-class]

First, side by side in the same run (alternating, `--rounds` times, medians): one learner whose
`exercises/` holds every solution, graded alone in its sandbox (`class grade --no-reuse`, the
learner's own seconds from grades.json: its sandboxed run, without the grader's one-off
collection), against `fastlings check --all` on a copy of the course holding the same files.
Target: the sandboxed learner costs at most 1.2x the check.

Then the class, graded twice: with reuse (files identical to the starter or solution are
graded from the grader's own run) and with `--no-reuse`.

The class: a third of the learners have every solution copied in, a third the untouched
starters, a third a mix (a solution for every other exercise), and four of the mixed carry a
tamper prelude from tests/grading_fixtures/ on top of the solution of their first exercise (exit
at import, an infinite loop, a patched pytest runner, a fork bomb), which must then earn zero.
Every learner's score is compared with the expected one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fastlings.course.manifest import Entry, load_course  # noqa: E402

TAMPERS = ("exit_import", "loop_forever", "patch_runner", "fork_bomb")


def synthetic_course(folder: Path, exercises: int) -> Path:
    """A course of `exercises` chapters, each a renamed copy of this course's first exercise
    (starter, solution, checks, a lesson heading, the notebook), to measure at scale before
    every chapter is written."""
    first = load_course(REPO).entries()[0]
    shutil.copyfile(REPO / "pyproject.toml", folder / "pyproject.toml")
    manifest = ['[course]\ntitle = "Synthetic course"\n']
    for n in range(1, exercises + 1):
        chapter, exercise = f"ch{n:02d}_copy{n}", f"ex{n:02d}_copy{n}"
        manifest.append(
            f'[[chapters]]\nid = "{chapter}"\ntitle = "Copy {n}"\n\n'
            f'[[chapters.exercises]]\nid = "{exercise}"\ntitle = "Copy {n}"\n'
            f'section = "{n}.1 Copy"\npoints = {first.exercise.points}\n'
            f'hints = ["one", "two"]\nfailing_checks = {list(first.exercise.failing_checks)!r}\n'
        )
        for source, target in (
            (first.exercise_path, folder / "exercises" / chapter / f"{exercise}.py"),
            (first.solution_path, folder / "solutions" / chapter / f"{exercise}.py"),
            (first.checks_path, folder / "checks" / chapter / f"test_{exercise}.py"),
            (first.notebook_path, folder / "notebooks" / f"{chapter}.ipynb"),
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        lesson = folder / "lessons" / f"{chapter}.md"
        lesson.parent.mkdir(parents=True, exist_ok=True)
        lesson.write_text(f"# Chapter {n}: Copy\n\n## {n}.1 Copy\n", encoding="utf-8")
    (folder / "course.toml").write_text("\n".join(manifest).replace("'", '"'), encoding="utf-8")
    return folder


def build_class(root: Path, folder: Path, learners: int) -> dict[str, int]:
    """Write the submissions; return each learner's expected points."""
    course = load_course(root)
    entries = course.entries()
    expected: dict[str, int] = {}
    third = learners // 3
    for index in range(learners):
        if index < third:
            kind, chosen = "solved", set(range(len(entries)))
        elif index < 2 * third:
            kind, chosen = "starter", set()
        else:
            kind = "mixed"
            chosen = {i for i in range(len(entries)) if (i + index) % 2 == 0}
        name = f"{kind}_{index:02d}"
        tamper = None
        if kind == "mixed" and index - 2 * third < len(TAMPERS):
            tamper = TAMPERS[index - 2 * third]
            name = f"tamper_{tamper}_{index:02d}"
            chosen.add(0)  # the tampered exercise carries a solution: it still earns zero
        points = 0
        for position, entry in enumerate(entries):
            solved = position in chosen
            source = entry.solution_path if solved else entry.exercise_path
            text = source.read_text(encoding="utf-8")
            if tamper is not None and position == 0:
                prelude = REPO / "tests" / "grading_fixtures" / f"{tamper}.prelude"
                text = prelude.read_text(encoding="utf-8") + "\n" + text
            elif solved:
                points += entry.exercise.points
            target = folder / name / _rel(entry)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        expected[name] = points
    return expected


def _rel(entry: Entry) -> Path:
    return entry.exercise_path.relative_to(entry.course.root)


def fastlings(*args: str) -> list[str]:
    return [sys.executable, "-c", "from fastlings.cli import main; main()", *args]


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    env["PYTHONPATH"] = str(REPO)  # this checkout's tooling, in every run alike
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="side-by-side rounds")
    parser.add_argument("--skip-class", action="store_true", help="only the side-by-side part")
    parser.add_argument("--keep", type=Path, help="copy grades.* and report.html here")
    parser.add_argument(
        "--synthetic-exercises",
        type=int,
        default=0,
        help="grade a course of N renamed copies of the first exercise instead of this one",
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fastlings-bench-") as scratch:
        base = Path(scratch)
        root = REPO
        if options.synthetic_exercises:
            (base / "course").mkdir()
            root = synthetic_course(base / "course", options.synthetic_exercises)
        course = load_course(root)
        print(f"course: {len(course.chapters)} chapters, {len(course.entries())} exercises")
        side_by_side(root, base / "side", options.rounds)
        if options.skip_class:
            return 0
        expected = build_class(root, base / "submissions", options.learners)
        failed = 0
        for reuse in (True, False):
            out = base / ("out" if reuse else "out-no-reuse")
            failed += grade_and_report(root, base / "submissions", out, expected, options, reuse)
            if options.keep:
                shutil.copytree(out, options.keep / out.name, dirs_exist_ok=True)
    return 1 if failed else 0


def side_by_side(root: Path, folder: Path, rounds: int) -> None:
    """One learner holding every solution: sandboxed grading vs `fastlings check --all`."""
    course = load_course(root)
    copy = folder / "course"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__"))
    learner = folder / "submissions" / "solved"
    for entry in course.entries():
        for target in (copy / _rel(entry), learner / _rel(entry)):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.solution_path, target)
    checks: list[float] = []
    graded: list[float] = []
    for index in range(rounds):
        seconds, done = timed(fastlings("check", "--all"), copy)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
            raise SystemExit("check --all failed on the solutions")
        checks.append(seconds)
        out = folder / f"out{index}"
        _, run = timed(
            fastlings("class", "grade", str(learner.parent), "--no-reuse", "--out", str(out)), root
        )
        if run.returncode != 0:
            print(run.stdout[-2000:], run.stderr[-2000:])
            raise SystemExit("class grade failed")
        payload = json.loads((out / "grades.json").read_text(encoding="utf-8"))
        [solved] = payload["learners"]
        if solved["points_earned"] != solved["points_possible"]:
            raise SystemExit(f"the solved learner earned {solved['points_earned']}")
        graded.append(float(solved["seconds"]))
        print(f"  round {index + 1}: check --all {seconds:.2f}s, sandboxed {graded[-1]:.2f}s")
    check, grade = statistics.median(checks), statistics.median(graded)
    print(
        f"one learner, every solution: `fastlings check --all` {check:.2f}s, graded in the "
        f"sandbox {grade:.2f}s: ratio {grade / check:.2f} (target <= 1.2)"
    )


def grade_and_report(
    root: Path,
    submissions: Path,
    out: Path,
    expected: dict[str, int],
    options: argparse.Namespace,
    reuse: bool,
) -> int:
    class_seconds, graded = timed(
        fastlings(
            "class", "grade", str(submissions), "--jobs", str(options.jobs), "--check-timeout",
            "10", "--out", str(out), *([] if reuse else ["--no-reuse"]),
        ),
        root,
    )  # fmt: skip
    if graded.returncode != 0:
        print(graded.stdout[-3000:], graded.stderr[-3000:])
        return 1
    payload = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    got = {lg["learner"]: lg["points_earned"] for lg in payload["learners"]}
    wrong = {n: (got.get(n), p) for n, p in expected.items() if got.get(n) != p}
    seconds = sorted(lg["seconds"] for lg in payload["learners"])
    reruns = sum(bool(lg["isolated_reruns"]) for lg in payload["learners"])
    reused = sum(len(lg["reused_results"]) for lg in payload["learners"])
    label = "with reuse" if reuse else "--no-reuse"
    print(f"class of {len(expected)}, --jobs {options.jobs}, {label}: {class_seconds:.1f}s")
    print(
        f"  per submission: median {statistics.median(seconds):.2f}s, max {seconds[-1]:.2f}s; "
        f"{reruns} learner(s) needed isolated re-runs; {reused} exercise file(s) reused"
    )
    if wrong:
        print(f"  WRONG SCORES (got, expected): {wrong}")
        return 1
    print(f"  every one of the {len(expected)} scores is exactly as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
