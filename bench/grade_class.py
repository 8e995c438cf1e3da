"""Benchmark: grade a synthetic class of 60 and compare with one `fastlings dev verify`.

    python bench/grade_class.py [--learners 60] [--jobs 2] [--full-verify]

A third of the learners have every solution copied in, a third the untouched starters, a third
a mix (a solution for every other exercise), and four of the mixed carry a tamper prelude
from tests/grading_fixtures/ on top of the solution of their first exercise (exit at import,
an infinite loop, a patched pytest runner, a fork bomb), which must then earn zero. The class
is graded with
`fastlings class grade --jobs N`, and every learner's score is compared with the expected one.

Printed: the class time, one `fastlings dev verify` of the course (by default `--no-lint
--no-notebooks`, i.e. the checks on every starter and solution; `--full-verify` adds ruff, mypy
and nbval), their ratio (target: under 5), and the median time per submission.
"""

from __future__ import annotations

import argparse
import json
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
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.monotonic() - started, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--full-verify", action="store_true", help="with ruff, mypy and nbval (real course only)"
    )
    parser.add_argument("--no-reuse", action="store_true", help="pass --no-reuse to grade-class")
    parser.add_argument(
        "--no-fork-server", action="store_true", help="pass --no-fork-server to grade-class"
    )
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
        expected = build_class(root, base / "submissions", options.learners)
        course = load_course(root)
        verify_args = [] if options.full_verify else ["--no-lint", "--no-notebooks"]
        verify_seconds, verify = timed(fastlings("dev", "verify", *verify_args), root)
        if verify.returncode != 0:
            print(verify.stdout[-3000:], verify.stderr[-3000:])
            return 1
        class_seconds, graded = timed(
            fastlings(
                "class",
                "grade",
                str(base / "submissions"),
                "--jobs",
                str(options.jobs),
                "--check-timeout",
                "5",
                "--out",
                str(base / "out"),
                *(["--no-reuse"] if options.no_reuse else []),
                *(["--no-fork-server"] if options.no_fork_server else []),
            ),
            root,
        )
        if graded.returncode != 0:
            print(graded.stdout[-3000:], graded.stderr[-3000:])
            return 1
        payload = json.loads((base / "out" / "grades.json").read_text(encoding="utf-8"))
        if options.keep:
            shutil.copytree(base / "out", options.keep, dirs_exist_ok=True)

    got = {lg["learner"]: lg["points_earned"] for lg in payload["learners"]}
    wrong = {
        name: (got.get(name), points)
        for name, points in expected.items()
        if got.get(name) != points
    }
    seconds = sorted(lg["seconds"] for lg in payload["learners"])
    reruns = sum(bool(lg["isolated_reruns"]) for lg in payload["learners"])
    reused = sum(len(lg["reused_results"]) for lg in payload["learners"])
    label = "verify" if options.full_verify else "verify --no-lint --no-notebooks"
    print(f"course: {len(course.chapters)} chapters, {len(course.entries())} exercises")
    print(f"class: {options.learners} submissions, --jobs {options.jobs}: {class_seconds:.1f}s")
    print(f"one `fastlings {label}`: {verify_seconds:.1f}s")
    print(f"ratio class/verify: {class_seconds / verify_seconds:.2f} (target < 5)")
    print(
        f"per submission: median {statistics.median(seconds):.2f}s, "
        f"max {seconds[-1]:.2f}s; {reruns} learner(s) needed isolated re-runs; "
        f"{reused} exercise file(s) identical to the starter or solution reused its result"
    )
    print(f"isolation: {payload['isolation']}")
    if wrong:
        print(f"WRONG SCORES (got, expected): {wrong}")
        return 1
    print(f"every one of the {len(expected)} scores is exactly as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
