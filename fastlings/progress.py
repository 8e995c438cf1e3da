"""Progress, derived from check results and cached by content hash.

The cache key of an exercise is a hash of its file, its checks file and its manifest entry
(plus the tooling's version). Any edit, on any machine, changes the key and the exercise is
simply checked again; the cache (`.fastlings/progress.json`) is never the truth and may be
deleted at any time. Runs that timed out or crashed are not cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastlings import __version__
from fastlings.grading import ExerciseGrade, grade_exercise
from fastlings.manifest import Entry
from fastlings.runner import RunResult
from fastlings.starters import same_code, snapshot_untracked, starters
from fastlings.state import read_json, state_dir, write_json

Status = Literal["passed", "failing", "not started"]
Runner = Callable[[list[Entry]], RunResult]
CACHE_VERSION = 1


def cache_path(root: Path) -> Path:
    return state_dir(root) / "progress.json"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\x00missing"


def cache_key(entry: Entry) -> str:
    digest = hashlib.sha256()
    for part in (
        f"v{CACHE_VERSION}/{__version__}".encode(),
        entry.exercise.model_dump_json().encode(),
        _read(entry.exercise_path),
        _read(entry.checks_path),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass
class Evaluation:
    entry: Entry
    status: Status
    grade: ExerciseGrade | None  # None: not run (an untouched starter fails by construction)
    cached: bool


def _status(grade: ExerciseGrade | None, pristine: bool) -> Status:
    if grade is not None and grade.passed:
        return "passed"
    return "not started" if pristine else "failing"


def cacheable(entry: Entry, run: RunResult) -> bool:
    """Only complete, deterministic results are cached: not a crash, a timeout or a run that
    stopped before this exercise's checks."""
    results = run.for_entry(entry)
    return run.crashed is None and bool(results) and not any(r.kind == "timeout" for r in results)


def untouched(entries: Sequence[Entry]) -> dict[str, bool]:
    """qualified id -> whether the learner's file is still the pristine starter."""
    if not entries:
        return {}
    found = starters(list(entries))
    snapshot_untracked(list(entries), found)
    return {
        e.qualified_id: e.qualified_id in found
        and same_code(_read(e.exercise_path), found[e.qualified_id].content)
        for e in entries
    }


class ProgressCache:
    def __init__(self, root: Path) -> None:
        self.path = cache_path(root)
        data = read_json(self.path)
        records = data.get("exercises") if data.get("version") == CACHE_VERSION else None
        self.records: dict[str, dict[str, object]] = records if isinstance(records, dict) else {}
        self.dirty = False

    def lookup(self, entry: Entry, key: str) -> tuple[bool, ExerciseGrade | None] | None:
        """(pristine, grade or None) when the record matches `key`."""
        record = self.records.get(entry.qualified_id)
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        raw = record.get("grade")
        try:
            grade = ExerciseGrade.model_validate(raw) if raw is not None else None
        except ValueError:
            return None
        return bool(record.get("pristine")), grade

    def store(self, entry: Entry, key: str, pristine: bool, grade: ExerciseGrade | None) -> None:
        self.records[entry.qualified_id] = {
            "key": key,
            "pristine": pristine,
            "grade": grade.model_dump(mode="json") if grade is not None else None,
        }
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            write_json(self.path, {"version": CACHE_VERSION, "exercises": self.records})
            self.dirty = False


def peek(entries: Sequence[Entry]) -> dict[str, Status | None]:
    """Statuses from the cache alone (None where it is stale); never runs anything."""
    if not entries:
        return {}
    cache = ProgressCache(entries[0].course.root)
    found: dict[str, Status | None] = {}
    for entry in entries:
        hit = cache.lookup(entry, cache_key(entry))
        found[entry.qualified_id] = _status(hit[1], hit[0]) if hit else None
    return found


def evaluate(
    entries: Sequence[Entry],
    runner: Runner,
    *,
    need_grades: bool = False,
    force: Sequence[Entry] = (),
) -> list[Evaluation]:
    """The status of each entry, from the cache where it is still valid, else by running
    the checks (all the stale ones in one run). An untouched starter is "not started" and is
    only run when `need_grades` asks for its check results."""
    if not entries:
        return []
    root = entries[0].course.root
    cache = ProgressCache(root)
    forced = {e.qualified_id for e in force}
    keys = {e.qualified_id: cache_key(e) for e in entries}
    known: dict[str, tuple[bool, ExerciseGrade | None]] = {}
    for entry in entries:
        if entry.qualified_id in forced:
            continue
        hit = cache.lookup(entry, keys[entry.qualified_id])
        if hit is not None and (hit[1] is not None or not need_grades):
            known[entry.qualified_id] = hit
    stale = [e for e in entries if e.qualified_id not in known]
    evaluations: dict[str, Evaluation] = {}
    pristine: dict[str, bool] = {}
    if stale and not need_grades:
        # An untouched starter fails by construction: no need to run it to say "not started".
        pristine.update(untouched([e for e in stale if e.qualified_id not in forced]))
    to_run = [e for e in stale if not pristine.get(e.qualified_id)]
    for entry in stale:
        if pristine.get(entry.qualified_id):
            cache.store(entry, keys[entry.qualified_id], True, None)
            known[entry.qualified_id] = (True, None)
    if to_run:
        run = runner(to_run)
        grades = {
            e.qualified_id: grade_exercise(e, [] if run.crashed else run.for_entry(e), run.crashed)
            for e in to_run
        }
        # Only a failing exercise can be an untouched starter: ask git about those alone.
        pristine.update(
            untouched(
                [
                    e
                    for e in to_run
                    if not grades[e.qualified_id].passed and e.qualified_id not in pristine
                ]
            )
        )
        for entry in to_run:
            qid = entry.qualified_id
            grade = grades[qid]
            if cacheable(entry, run):
                cache.store(entry, keys[qid], pristine.get(qid, False), grade)
            evaluations[qid] = Evaluation(
                entry, _status(grade, pristine.get(qid, False)), grade, False
            )
    for entry in entries:
        qid = entry.qualified_id
        if qid in known and qid not in evaluations:
            is_pristine, cached_grade = known[qid]
            evaluations[qid] = Evaluation(
                entry, _status(cached_grade, is_pristine), cached_grade, True
            )
    cache.save()
    return [evaluations[e.qualified_id] for e in entries]
