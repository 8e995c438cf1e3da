"""Grade a whole class without trusting its code.

For each learner the grader:
1. takes the submission's selected exercise files into memory (`submissions`) before any
   learner code runs; everything else of the submission plays no part;
2. grades a file that is byte-for-byte the course's starter or solution from the grader's own
   run of that file (`run_references`, once per class; `reuse=False` turns this off), and runs
   all the learner's other selected checks in ONE fresh sandbox (`sandbox.run_worker`): the
   instructor's checks and manifest plus those files, in the sandbox's own tmpfs;
3. accepts the records only if the child collected exactly the expected checks (collected by
   the grader itself from the pristine checks) and each check reported once per phase, in order;
4. if that run did not finish cleanly, keeps the exercises whose checks had all reported before
   the break and re-runs each remaining exercise alone, in a fresh sandbox; an exercise whose
   isolated run is not clean earns zero, with the reason;
5. stops within the learner's total wall-clock budget, whatever the learner's code does.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from fastlings.course.manifest import Course, Entry
from fastlings.grading.channel import WorkerRun
from fastlings.grading.models import (
    ClassGrade,
    ClassOptions,
    ExerciseInfo,
    LearnerGrade,
    SkippedSubmission,
)
from fastlings.grading.run import run_worker
from fastlings.grading.sandbox import check_available
from fastlings.grading.scores import ExerciseGrade, grade_exercise
from fastlings.grading.submissions import Submission, pristine_files, sha, snapshot
from fastlings.run.record import CheckResult
from fastlings.run.spec import RunSpec

UNSAFE = "NO SANDBOX (--unsafe-no-sandbox): learner code ran with the grader's own rights"


def _rel(path: Path, course: Course) -> str:
    return path.relative_to(course.root).as_posix()


class ClassGrader:
    def __init__(self, course: Course, entries: list[Entry], options: ClassOptions) -> None:
        self.course = course
        self.entries = entries
        self.options = options
        self.limits = options.limits
        self.expected: dict[str, list[str]] = {}
        self.pristine = pristine_files(course)
        self.references: dict[tuple[str, str], list[CheckResult]] = {}
        self.isolation = UNSAFE if options.unsafe_no_sandbox else check_available(self.limits)

    def pytest_args(self, entries: list[Entry], *, collect_only: bool = False) -> list[str]:
        return RunSpec(
            paths=tuple(_rel(e.checks_path, self.course) for e in entries),
            timeout=self.limits.check_timeout,
            db_server=self.options.db_server,
            collect_only=collect_only,
        ).pytest_args()

    def _run(
        self, entries: list[Entry], files: dict[str, bytes], deadline: float | None = None
    ) -> WorkerRun:
        return run_worker(
            {**self.pristine, **files},
            self.pytest_args(entries),
            limits=self.limits,
            exercises=len(entries),
            db_server=self.options.db_server,
            sandboxed=not self.options.unsafe_no_sandbox,
            deadline=deadline,
        )

    def collect_expected(self) -> None:
        """The check list, from the instructor's own checks, collected without learner code."""
        run = run_worker(
            dict(self.pristine),
            self.pytest_args(self.entries, collect_only=True),
            limits=self.limits,
            exercises=1,
            db_server=self.options.db_server,
            sandboxed=not self.options.unsafe_no_sandbox,
        )
        if not run.clean or run.collected is None:
            why = f"{run.tampered or ''}\n{run.log}"
            raise RuntimeError(
                f"collecting the course's own checks failed (`fastlings verify`?)\n{why}"
            )
        for entry in self.entries:
            prefix = _rel(entry.checks_path, self.course) + "::"
            self.expected[entry.id] = [n for n in run.collected if n.startswith(prefix)]
            if not self.expected[entry.id]:
                raise RuntimeError(f"{_rel(entry.checks_path, self.course)} has no checks")

    def complete(self, run: WorkerRun, entries: list[Entry]) -> dict[str, list[CheckResult]]:
        """The entries whose every expected check reported in `run`, with their results.

        The child must have collected exactly the expected checks, and each check reported
        at most one record per phase, in the collected order. On a broken run, an entry counts
        only if a check of a later entry had already reported before the break."""
        order = [n for e in entries for n in self.expected[e.id]]
        if run.collected != order:  # None: the child died before collection ended
            return {}
        by_node: dict[str, list[CheckResult]] = {}
        position = {n: i for i, n in enumerate(order)}
        last = -1
        for record in run.records:
            try:
                result = CheckResult.from_record(record)
            except (KeyError, TypeError, ValueError):
                return {}  # not a record the plugin makes
            at = position.get(result.nodeid)
            if result.phase == "collect" or at is None or at < last:
                return {}  # the pristine checks collect cleanly; anything else is not trusted
            phases = [r.phase for r in by_node.get(result.nodeid, [])]
            if result.phase in phases or (result.phase != "teardown" and phases):
                return {}
            last = at
            by_node.setdefault(result.nodeid, []).append(result)
        complete: dict[str, list[CheckResult]] = {}
        for entry in entries:
            nodes = self.expected[entry.id]
            if not all(n in by_node for n in nodes):
                continue
            if not run.clean and last <= position[nodes[-1]]:
                continue
            complete[entry.id] = [r for n in nodes for r in by_node[n]]
        return complete

    def why(self, run: WorkerRun) -> str:
        code = run.returncode
        if run.tampered:
            return f"zero: {run.tampered}"
        if run.budget_spent:
            return (
                f"zero: the learner's total grading budget of {self.limits.learner_budget:g}s "
                "was spent before these checks finished"
            )
        if run.timed_out:
            limits = self.limits
            return (
                f"zero: the checks did not finish within this run's budget of {run.budget:.0f}s "
                f"({limits.wall_base:g}s + {limits.wall_per_exercise:g}s per exercise) and were "
                "stopped (an infinite loop, or a blocking call that never returns?)"
            )
        if code in (-signal.SIGSYS, 128 + signal.SIGSYS):
            return (
                "zero: the exercise tried to start a new process (fork, subprocess or "
                "multiprocessing), which grading forbids; the checks process was stopped"
            )
        if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
            return "zero: the checks process used up its CPU-time limit and was stopped"
        if not run.finished:
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"code {code}"
            return (
                f"zero: the checks process ended before the checks finished ({how}). The "
                "exercise ends the interpreter (os._exit, exit in a thread), crashes it, or "
                "went past a memory, CPU or process limit"
            )
        return "zero: some checks did not report a result"

    def run_references(self) -> None:
        """Grade the course's own starters and solutions once (trusted code, pristine files)."""
        for target in ("exercise", "solution"):
            files = {
                _rel(e.exercise_path, self.course): e.source_path(target).read_bytes()
                for e in self.entries
                if e.source_path(target).is_file()
            }
            if len(files) != len(self.entries):
                continue
            run = self._run(self.entries, files)
            if not run.clean:
                continue
            for entry_id, results in self.complete(run, self.entries).items():
                entry = next(e for e in self.entries if e.id == entry_id)
                digest = sha(files[_rel(entry.exercise_path, self.course)])
                self.references[(entry_id, digest)] = results

    def grade(self, taken: Submission) -> LearnerGrade:
        started = time.monotonic()
        deadline = started + self.limits.learner_budget
        grades: dict[str, ExerciseGrade] = {}
        files: dict[str, bytes] = {}
        reused: list[str] = []
        for entry in self.entries:
            data = taken.files.get(entry.id)
            if data is None:
                grades[entry.id] = grade_exercise(entry, [], f"zero: {taken.problems[entry.id]}")
            elif self.options.reuse and (entry.id, sha(data)) in self.references:
                grades[entry.id] = grade_exercise(entry, self.references[(entry.id, sha(data))])
                reused.append(entry.id)
            else:
                files[entry.id] = data
        runnable = [e for e in self.entries if e.id not in grades]
        reruns: list[str] = []
        notes: list[str] = []
        if runnable:
            run = self._run(runnable, self._files(runnable, files), deadline)
            complete = self.complete(run, runnable)
            if not run.clean:
                notes.append(f"first run broken: {self.why(run)[6:]}")
            for entry in runnable:
                if entry.id in complete:
                    grades[entry.id] = grade_exercise(entry, complete[entry.id])
                elif len(runnable) == 1 or run.budget_spent:
                    grades[entry.id] = grade_exercise(entry, [], self.why(run))
                else:
                    reruns.append(entry.id)
                    alone = self._run([entry], self._files([entry], files), deadline)
                    results = self.complete(alone, [entry])
                    if alone.clean and entry.id in results:
                        grades[entry.id] = grade_exercise(entry, results[entry.id])
                    else:
                        grades[entry.id] = grade_exercise(entry, [], self.why(alone))
                        run = alone  # a spent budget stops the re-runs too
        graded = [grades[e.id] for e in self.entries]
        return LearnerGrade(
            learner=taken.name,
            points_earned=sum(g.points_earned for g in graded),
            points_possible=sum(g.points_possible for g in graded),
            exercises=graded,
            isolated_reruns=reruns,
            reused_results=reused,
            notes=notes,
            seconds=round(time.monotonic() - started, 3),
        )

    def _files(self, entries: list[Entry], files: dict[str, bytes]) -> dict[str, bytes]:
        return {_rel(e.exercise_path, self.course): files[e.id] for e in entries}


def grade_class(
    course: Course,
    entries: list[Entry],
    submissions: list[Path],
    options: ClassOptions,
    progress: Callable[[LearnerGrade], None] | None = None,
    skipped: list[SkippedSubmission] | None = None,
) -> ClassGrade:
    started = time.monotonic()
    grader = ClassGrader(course, entries, options)
    taken = [snapshot(path, entries) for path in submissions]  # before any learner code runs
    grader.collect_expected()
    if options.reuse:
        grader.run_references()
    results: dict[str, LearnerGrade] = {}
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = {pool.submit(grader.grade, t): t for t in taken}
        for future in as_completed(futures):
            grade = future.result()
            results[futures[future].name] = grade
            if progress is not None:
                progress(grade)
    limits = options.limits
    return ClassGrade(
        course=course.course.title,
        exercises=[
            ExerciseInfo(
                id=e.id, chapter=e.chapter.id, title=e.exercise.title, points=e.exercise.points
            )
            for e in entries
        ],
        learners=[results[t.name] for t in taken],
        points_possible=sum(e.exercise.points for e in entries),
        seconds=round(time.monotonic() - started, 3),
        isolation=(
            f"{grader.isolation}; per learner at most {limits.learner_budget:g}s in all, per run "
            f"{limits.wall_base:g}s + {limits.wall_per_exercise:g}s per exercise, "
            f"{limits.check_timeout:g}s per check, {limits.memory_mb} MB"
        ),
        skipped=list(skipped or []),
    )
