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
from fastlings.course.manifest import Entry, Exercise
from fastlings.course.starters import same_code, snapshot_untracked, starters
from fastlings.course.state import StateError, read_json, state_dir, warn_once, write_json
from fastlings.grading import ExerciseGrade, grade_exercise
from fastlings.run.record import RunResult

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


def fingerprint(exercise: Exercise) -> str:
    """The exercise's manifest entry as canonical JSON (part of the progress cache's key)."""
    import json
    from dataclasses import asdict

    return json.dumps(asdict(exercise), sort_keys=True)


def cache_key(entry: Entry) -> str:
    digest = hashlib.sha256()
    for part in (
        f"v{CACHE_VERSION}/{__version__}".encode(),
        fingerprint(entry.exercise).encode(),
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

    def lookup(self, entry: Entry, key: str) -> tuple[bool | None, ExerciseGrade | None] | None:
        """(pristine or None when unknown, grade or None) when the record matches `key`."""
        record = self.records.get(entry.qualified_id)
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        raw = record.get("grade")
        try:
            grade = ExerciseGrade.from_data(raw) if raw is not None else None
        except (ValueError, TypeError):
            return None
        flag = record.get("pristine")
        return (flag if isinstance(flag, bool) else None), grade

    def store(
        self, entry: Entry, key: str, pristine: bool | None, grade: ExerciseGrade | None
    ) -> None:
        self.records[entry.qualified_id] = {
            "key": key,
            "pristine": pristine,
            "grade": grade.to_data() if grade is not None else None,
        }
        self.dirty = True

    def save(self) -> None:
        """Write the cache; when something stands in the way, say so once and go on (the cache
        only saves time: results are simply computed again next time)."""
        if self.dirty:
            try:
                write_json(self.path, {"version": CACHE_VERSION, "exercises": self.records})
            except StateError as exc:
                warn_once(f"Progress is not cached: {exc}.")
            self.dirty = False


def peek(entries: Sequence[Entry]) -> dict[str, Status | None]:
    """Statuses from the cache alone (None where it is stale); never runs anything."""
    if not entries:
        return {}
    cache = ProgressCache(entries[0].course.root)
    found: dict[str, Status | None] = {}
    for entry in entries:
        hit = cache.lookup(entry, cache_key(entry))
        found[entry.qualified_id] = _status(hit[1], bool(hit[0])) if hit else None
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
    grades: dict[str, ExerciseGrade | None] = {}
    pristine: dict[str, bool | None] = {}
    fresh: set[str] = set()
    for entry in entries:
        qid = entry.qualified_id
        hit = cache.lookup(entry, keys[qid]) if qid not in forced else None
        if hit is not None and (hit[1] is not None or not need_grades):
            pristine[qid], grades[qid] = hit
    stale = [e for e in entries if e.qualified_id not in grades]
    if stale and not need_grades:
        # An untouched starter fails by construction: no need to run it to say "not started".
        found = untouched([e for e in stale if e.qualified_id not in forced])
        for entry in stale:
            if found.get(entry.qualified_id):
                pristine[entry.qualified_id], grades[entry.qualified_id] = True, None
                cache.store(entry, keys[entry.qualified_id], True, None)
    to_run = [e for e in stale if e.qualified_id not in grades]
    run = runner(to_run) if to_run else None
    for entry in to_run:
        assert run is not None
        qid = entry.qualified_id
        grades[qid] = grade_exercise(
            entry, [] if run.crashed else run.for_entry(entry), run.crashed
        )
        pristine[qid] = False if grades[qid].passed else pristine.get(qid)  # type: ignore[union-attr]
        fresh.add(qid)
    # Only a failing exercise can be an untouched starter: ask git about those alone.
    unknown = [
        e
        for e in entries
        if pristine.get(e.qualified_id) is None and not _passed(grades[e.qualified_id])
    ]
    pristine.update(untouched(unknown))
    for entry in unknown:
        if entry.qualified_id not in fresh:  # a cached record learns what it lacked
            cache.store(
                entry,
                keys[entry.qualified_id],
                pristine[entry.qualified_id],
                grades[entry.qualified_id],
            )
    for entry in to_run:
        assert run is not None
        # a file saved again during the run: its result belongs to content that is gone
        if cacheable(entry, run) and cache_key(entry) == keys[entry.qualified_id]:
            qid = entry.qualified_id
            cache.store(entry, keys[qid], pristine.get(qid), grades[qid])
    cache.save()
    return [
        Evaluation(
            e,
            _status(grades[e.qualified_id], bool(pristine.get(e.qualified_id))),
            grades[e.qualified_id],
            cached=e.qualified_id not in fresh,
        )
        for e in entries
    ]


def _passed(grade: ExerciseGrade | None) -> bool:
    return grade is not None and grade.passed


def remember(root: Path, entry: Entry, key: str, grade: ExerciseGrade, run: RunResult) -> None:
    """Cache one exercise's result from watch mode (when the run is complete and
    deterministic); whether a failing file is the untouched starter is left for `list`."""
    if not cacheable(entry, run):
        return
    cache = ProgressCache(root)
    cache.store(entry, key, False if grade.passed else None, grade)
    cache.save()
