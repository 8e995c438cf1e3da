"""`fastlings class grade SUBMISSIONS_DIR`: score a whole class without trusting its code.

Each folder in SUBMISSIONS_DIR is one learner's copy of the course. For each learner the grader:

1. builds a fresh working copy from the instructor's own course: `course.toml`, `pyproject.toml`,
   a root `conftest.py` if the course has one, and `checks/`, plus, from the submission, only
   the files `exercises/<chapter>/<exercise>.py` that the manifest names for the selected
   exercises. A file that is missing, a symlink (or under a symlinked folder), not a regular
   file, or larger than 1 MiB earns zero with a reason. Nothing else of the submission is read:
   its `checks/`, `conftest.py`, `course.toml`, `pyproject.toml` or `solutions/` play no part.
2. grades a file that is byte-for-byte the course's starter or solution from the grader's own
   run of that file (`run_references`, once per class; `--no-reuse` turns this off), and runs
   all the learner's other selected checks in ONE sandboxed child (`fastlings.sandbox`, forked
   from a pre-imported fork server per parallel slot), whose results come back on a signed
   pipe, checked against the check list the grader collected itself from its pristine checks.
3. if that child did not finish cleanly (it died, was stopped, or its channel or the pytest
   machinery were tampered with), keeps the exercises whose checks had all reported before the
   break and re-runs each remaining exercise alone, in a fresh working copy and child. An
   exercise whose isolated run is not clean earns zero, with the reason.
4. scores the results with `fastlings.grading.grade_exercise` (the manifest's points).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import queue
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from fastlings import confine
from fastlings.course.manifest import MANIFEST_NAME, Course, Entry
from fastlings.grading import ExerciseGrade, grade_exercise
from fastlings.run.record import CheckResult
from fastlings.run.spec import RunSpec
from fastlings.sandbox import ForkServer, Limits, WorkerRun, run_worker

MAX_FILE_BYTES = 1024 * 1024
PRISTINE_FILES = (MANIFEST_NAME, "pyproject.toml", "conftest.py")


# -- the result model (grades.json) -----------------------------------------------------------
class ExerciseInfo(BaseModel):
    id: str
    chapter: str
    title: str
    points: int


class LearnerGrade(BaseModel):
    learner: str
    points_earned: int
    points_possible: int
    exercises: list[ExerciseGrade]
    isolated_reruns: list[str] = Field(
        default_factory=list, description="Exercises re-run alone after the first run broke."
    )
    reused_results: list[str] = Field(
        default_factory=list,
        description="Exercises whose file is byte-for-byte the course's starter or solution, "
        "graded from the grader's own run of that file.",
    )
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def exercise(self, exercise_id: str) -> ExerciseGrade:
        return next(g for g in self.exercises if g.id == exercise_id)


class ClassGrade(BaseModel):
    course: str
    exercises: list[ExerciseInfo]
    learners: list[LearnerGrade]
    points_possible: int
    seconds: float = 0.0
    isolation: str = ""

    def pass_rates(self) -> dict[str, float]:
        rates: dict[str, float] = {}
        for info in self.exercises:
            grades = [learner.exercise(info.id) for learner in self.learners]
            rates[info.id] = sum(g.passed for g in grades) / len(grades) if grades else 0.0
        return rates


# -- options -------------------------------------------------------------------------------
@dataclass
class ClassOptions:
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    db_url: str | None = None
    fork_server: bool = True  # fork each child from a pre-imported server (see sandbox)
    reuse: bool = True  # files identical to the starter or solution reuse the grader's own run


# -- submissions and working copies -------------------------------------------------------------
def find_submissions(folder: Path) -> list[Path]:
    """Each non-hidden folder in `folder` is one learner's submission, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def read_submission_file(submission: Path, entry: Entry) -> tuple[bytes | None, str | None]:
    """The bytes of the learner's file for `entry`, or why it cannot be graded."""
    rel = entry.exercise_path.relative_to(entry.course.root)
    current = submission
    for part in rel.parts:
        current = current / part
        try:
            info = current.lstat()
        except FileNotFoundError:
            return None, f"{rel.as_posix()} is missing from the submission"
        except OSError as exc:
            return None, f"{rel.as_posix()} cannot be read: {exc.strerror}"
        if stat.S_ISLNK(info.st_mode):
            return None, (
                f"{current.relative_to(submission).as_posix()} is a symbolic link: only "
                "regular files are graded"
            )
    if not stat.S_ISREG(info.st_mode):
        return None, f"{rel.as_posix()} is not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        return None, f"{rel.as_posix()} is larger than {MAX_FILE_BYTES // 1024} KiB"
    fd = os.open(current, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES], None


def pristine_files(course: Course) -> dict[str, bytes]:
    """The instructor's course parts a working copy needs, read once into memory, so that code
    run during grading cannot change what later working copies are built from."""
    files: dict[str, bytes] = {}
    for name in PRISTINE_FILES:
        source = course.root / name
        if source.is_file():
            files[name] = source.read_bytes()
    checks = course.root / "checks"
    for path in sorted(checks.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(course.root).as_posix()] = path.read_bytes()
    return files


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(files: dict[str, bytes]) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}


@contextmanager
def working_copy(files: dict[str, bytes]) -> Iterator[Path]:
    """A fresh private folder holding exactly `files` (paths relative to the course root)."""
    folder = Path(tempfile.mkdtemp(prefix="fastlings-grade-"))
    try:
        for rel, data in files.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rel_checks(entry: Entry) -> str:
    return entry.checks_path.relative_to(entry.course.root).as_posix()


def pytest_args(entries: list[Entry], limits: Limits, *, collect_only: bool = False) -> list[str]:
    spec = RunSpec(
        paths=tuple(_rel_checks(e) for e in entries),
        timeout=limits.check_timeout,
        collect_only=collect_only,
    )
    return spec.pytest_args()


# -- the grader ------------------------------------------------------------------------------
class ClassGrader:
    def __init__(self, course: Course, entries: list[Entry], options: ClassOptions) -> None:
        self.course = course
        self.entries = entries
        self.options = options
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(max(1, options.jobs)):
            self.slots.put(slot)
        self.expected: dict[str, list[str]] = {}
        self.sandbox = ""
        self.pristine = pristine_files(course)
        self.servers: dict[int, ForkServer] = {}
        self.references: dict[tuple[str, str], list[CheckResult]] = {}

    # The check list comes from the instructor's own checks, collected without learner code.
    def collect_expected(self) -> None:
        files = dict(self.pristine)
        with working_copy(files) as folder:
            run = run_worker(
                folder,
                digest(files),
                pytest_args(self.entries, self.options.limits, collect_only=True),
                limits=self.options.limits,
                exercises=1,
                db_url=self.options.db_url,
            )
        self.sandbox = run.sandbox
        if not run.clean or run.collected is None:
            raise RuntimeError(
                "collecting the course's own checks failed; run `fastlings dev verify`.\n" + run.log
            )
        for entry in self.entries:
            prefix = _rel_checks(entry) + "::"
            self.expected[entry.id] = [n for n in run.collected if n.startswith(prefix)]
            if not self.expected[entry.id]:
                raise RuntimeError(f"{_rel_checks(entry)} has no checks")

    @contextmanager
    def _slot(self) -> Iterator[int]:
        slot = self.slots.get()
        try:
            yield slot
        finally:
            self.slots.put(slot)

    def _server(self, slot: int) -> ForkServer | None:
        if not self.options.fork_server:
            return None
        server = self.servers.get(slot)
        if server is not None and not server.alive():
            server.close()
            server = None
        if server is None:
            try:
                server = self.servers[slot] = ForkServer()
            except (RuntimeError, OSError):
                return None  # start each child from scratch instead
        return server

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def _run(self, entries: list[Entry], exercise_files: dict[str, bytes]) -> WorkerRun:
        files = {**self.pristine, **exercise_files}
        with self._slot() as slot, working_copy(files) as folder:

            def run(server: ForkServer | None) -> WorkerRun:
                return run_worker(
                    folder,
                    digest(files),
                    pytest_args(entries, self.options.limits),
                    limits=self.options.limits,
                    exercises=len(entries),
                    db_url=self.options.db_url,
                    server=server,
                )

            server = self._server(slot)
            if server is not None:
                try:
                    return run(server)
                except (RuntimeError, OSError):
                    server.close()
                    self.servers.pop(slot, None)
            return run(None)

    def _complete(self, run: WorkerRun, entries: list[Entry]) -> dict[str, list[CheckResult]]:
        """The entries whose every expected check reported in `run`, with their results.

        On a clean run that is every entry, provided the child collected exactly the expected
        checks. On a broken run, an entry counts only if a check of a later entry had already
        reported (so its teardown was over too) before the break."""
        order = [n for e in entries for n in self.expected[e.id]]
        if run.collected != order:  # None: the child died before collection ended
            return {}
        by_node: dict[str, list[CheckResult]] = {}
        known = set(order)
        for record in run.records:
            result = CheckResult.from_record(record)
            if result.phase == "collect" or result.nodeid not in known:
                return {}  # the pristine checks collect cleanly; anything else is not trusted
            by_node.setdefault(result.nodeid, []).append(result)
        last_reported = max((order.index(n) for n in by_node), default=-1)
        complete: dict[str, list[CheckResult]] = {}
        for entry in entries:
            nodes = self.expected[entry.id]
            if not all(n in by_node for n in nodes):
                continue
            if not run.clean and last_reported <= order.index(nodes[-1]):
                continue
            complete[entry.id] = [r for n in nodes for r in by_node[n]]
        return complete

    def _why(self, run: WorkerRun, entry: Entry) -> str:
        limits = self.options.limits
        if run.tampered:
            return f"zero: {run.tampered}"
        if run.timed_out:
            return (
                f"zero: the checks did not finish within {limits.wall(1):g}s and were stopped "
                "(an infinite loop, or a blocking call that never returns?)"
            )
        if not run.finished and run.returncode == -signal.SIGSYS:
            return (
                "zero: the exercise tried to start a new process (fork, subprocess or "
                "multiprocessing), which grading forbids; the checks process was stopped"
            )
        if not run.finished and run.returncode == -signal.SIGXCPU:
            return "zero: the checks process used up its CPU-time limit and was stopped"
        if not run.finished:
            code = run.returncode
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"code {code}"
            return (
                f"zero: the checks process ended before the checks finished ({how}). The "
                "exercise ends the interpreter (os._exit, exit in a thread), crashes it, or "
                "went past a memory, CPU or process limit"
            )
        return "zero: some checks did not report a result"

    def run_references(self) -> None:
        """Grade the course's own starters and solutions once (trusted code, pristine files):
        a learner's file that is byte-for-byte the starter or the solution gets that result
        without running again. Untouched starters are common in a class; nothing else is
        shared between learners."""
        for target in ("exercise", "solution"):
            files = {
                e.exercise_path.relative_to(self.course.root).as_posix(): e.source_path(
                    target
                ).read_bytes()
                for e in self.entries
                if e.source_path(target).is_file()
            }
            if len(files) != len(self.entries):
                continue
            run = self._run(self.entries, files)
            if not run.clean:
                continue
            for entry_id, results in self._complete(run, self.entries).items():
                entry = next(e for e in self.entries if e.id == entry_id)
                rel = entry.exercise_path.relative_to(self.course.root).as_posix()
                self.references[(entry_id, _sha(files[rel]))] = results

    def grade(self, submission: Path) -> LearnerGrade:
        started = time.monotonic()
        grades: dict[str, ExerciseGrade] = {}
        files: dict[str, tuple[Entry, bytes]] = {}
        reused: list[str] = []
        for entry in self.entries:
            data, problem = read_submission_file(submission, entry)
            if data is None:
                grades[entry.id] = grade_exercise(entry, [], f"zero: {problem}")
            elif (entry.id, _sha(data)) in self.references:
                grades[entry.id] = grade_exercise(entry, self.references[(entry.id, _sha(data))])
                reused.append(entry.id)
            else:
                rel = entry.exercise_path.relative_to(self.course.root).as_posix()
                files[rel] = (entry, data)
        runnable = [e for e in self.entries if e.id not in grades]
        reruns: list[str] = []
        notes: list[str] = []
        if runnable:
            run = self._run(runnable, {rel: data for rel, (_, data) in files.items()})
            complete = self._complete(run, runnable)
            if not run.clean:
                notes.append(f"first run broken: {self._why(run, runnable[0])[6:]}")
            for entry in runnable:
                if entry.id in complete:
                    grades[entry.id] = grade_exercise(entry, complete[entry.id])
                    continue
                if len(runnable) == 1:  # that run was already this exercise alone
                    grades[entry.id] = grade_exercise(entry, [], self._why(run, entry))
                    continue
                reruns.append(entry.id)
                rel = entry.exercise_path.relative_to(self.course.root).as_posix()
                alone = self._run([entry], {rel: files[rel][1]})
                results = self._complete(alone, [entry])
                if alone.clean and entry.id in results:
                    grades[entry.id] = grade_exercise(entry, results[entry.id])
                else:
                    grades[entry.id] = grade_exercise(entry, [], self._why(alone, entry))
        graded = [grades[e.id] for e in self.entries]
        return LearnerGrade(
            learner=submission.name,
            points_earned=sum(g.points_earned for g in graded),
            points_possible=sum(g.points_possible for g in graded),
            exercises=graded,
            isolated_reruns=reruns,
            reused_results=reused,
            notes=notes,
            seconds=round(time.monotonic() - started, 3),
        )


def grade_class(
    course: Course,
    entries: list[Entry],
    submissions: list[Path],
    options: ClassOptions,
    progress: Callable[[LearnerGrade], None] | None = None,
) -> ClassGrade:
    started = time.monotonic()
    confine.not_dumpable()  # learner code runs as the same uid: keep it out of our memory
    grader = ClassGrader(course, entries, options)
    grader.collect_expected()
    results: dict[str, LearnerGrade] = {}
    try:
        if options.reuse:
            grader.run_references()
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            futures = {pool.submit(grader.grade, s): s for s in submissions}
            for future in as_completed(futures):
                grade = future.result()
                results[futures[future].name] = grade
                if progress is not None:
                    progress(grade)
    finally:
        grader.close()
    return ClassGrade(
        course=course.course.title,
        exercises=[
            ExerciseInfo(
                id=e.id, chapter=e.chapter.id, title=e.exercise.title, points=e.exercise.points
            )
            for e in entries
        ],
        learners=[results[s.name] for s in submissions],
        points_possible=sum(e.exercise.points for e in entries),
        seconds=round(time.monotonic() - started, 3),
        isolation=f"one child per learner, rlimits, wall-clock kill; {grader.sandbox}",
    )


# -- outputs --------------------------------------------------------------------------------
def first_reason(grade: ExerciseGrade) -> str | None:
    """The reason an exercise earned nothing: the grader's, or the first failing check's."""
    if grade.passed:
        return None
    if grade.reason:
        return grade.reason
    for check in grade.checks:
        if not check.passed:
            first = (check.message or check.outcome).strip().splitlines()
            return f"{check.name}: {first[0] if first else check.outcome}"
    return None


def to_csv(result: ClassGrade) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", *(e.id for e in result.exercises), "total", "possible"])
    for learner in result.learners:
        writer.writerow(
            [
                _csv_safe(learner.learner),
                *(learner.exercise(e.id).points_earned for e in result.exercises),
                learner.points_earned,
                learner.points_possible,
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """Folder names are learner-controlled: keep spreadsheets from running them as formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_outputs(result: ClassGrade, out: Path) -> dict[str, Path]:
    from fastlings.report_html import render

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": out / "grades.csv",
        "json": out / "grades.json",
        "html": out / "report.html",
    }
    paths["csv"].write_text(to_csv(result), encoding="utf-8")
    paths["json"].write_text(result.model_dump_json(indent=1), encoding="utf-8")
    paths["html"].write_text(render(result), encoding="utf-8")
    return paths


def summary_rows(result: ClassGrade) -> list[dict[str, Any]]:
    return [
        {
            "learner": learner.learner,
            "points": f"{learner.points_earned}/{learner.points_possible}",
            "passed": sum(g.passed for g in learner.exercises),
            "problems": "; ".join(f"{g.id}: {g.reason}" for g in learner.exercises if g.reason),
        }
        for learner in result.learners
    ]
