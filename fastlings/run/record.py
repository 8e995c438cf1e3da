"""The one record of a check's result: written by the plugin, read by every command.

The plugin turns each pytest report into a `CheckResult` and writes `to_record()` dicts to the
JSON report; the CLI, verify, progress and grading read them back with `from_record()`. Nothing
else knows the record's keys. Outcomes, phases and kinds are `Literal`s, never matched by
wording.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from fastlings.course.manifest import Entry, Target

Outcome = Literal["passed", "failed", "error", "skipped"]
Phase = Literal["collect", "setup", "call", "teardown"]
Kind = Literal["assertion", "import", "timeout", "error", "collection"]
"""Why a check did not pass: an assertion (the check's own verdict), the learner's file did
not import, a timeout, any other exception, or the checks file could not be collected."""

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
PHASES: tuple[Phase, ...] = get_args(Phase)
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class CheckResult:
    """One check (one parametrised case) as the plugin recorded it."""

    nodeid: str
    file: str
    name: str | None
    outcome: Outcome
    phase: Phase
    kind: Kind | None = None
    message: str | None = None
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def timed_out(self) -> bool:
        return self.kind == "timeout"

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CheckResult:
        """Read a record back; a value outside the Literals is refused (ValueError)."""
        outcome, phase, kind = record.get("outcome"), record.get("phase"), record.get("kind")
        if (
            outcome not in OUTCOMES
            or phase not in PHASES
            or (kind is not None and kind not in KINDS)
        ):
            raise ValueError(f"not a check record: {record!r:.200}")
        name = record.get("name")
        message = record.get("message")
        return cls(
            nodeid=str(record["nodeid"]),
            file=str(record["file"]),
            name=None if name is None else str(name),
            outcome=cast(Outcome, outcome),
            phase=cast(Phase, phase),
            kind=cast("Kind | None", kind),
            message=None if message is None else str(message),
            duration=float(record.get("duration") or 0.0),
        )


NODEID, OUTCOME, PHASE = "nodeid", "outcome", "phase"
"""The record's keys that the grader's audit hook compares on the raw dicts (it must not call
into other modules at run time); `tests/test_plugin.py` keeps them equal to the fields."""


@dataclass
class RunResult:
    """Every check of one run, or why the run gave none (`crashed`)."""

    target: Target
    results: list[CheckResult] = field(default_factory=list)
    returncode: int | None = None
    output: str = ""
    timed_out: bool = False
    crashed: str | None = None

    def for_entry(self, entry: Entry) -> list[CheckResult]:
        rel = entry.checks_path.relative_to(entry.course.root).as_posix()
        return [r for r in self.results if r.file == rel]


def write_report(path: Path, target: Target, exitstatus: int, results: list[CheckResult]) -> None:
    payload = {
        "target": target,
        "exitstatus": int(exitstatus),
        "results": [r.to_record() for r in results],
    }
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")


INTERNAL_ERROR = 3
"""pytest's exit code when it broke down itself (`pytest.ExitCode.INTERNAL_ERROR`)."""


def read_report(report: Path, target: Target, returncode: int | None) -> RunResult:
    """The results the plugin wrote to `report`; `crashed` says why when there are none."""
    result = RunResult(target=target, returncode=returncode)
    try:
        payload = json.loads(report.read_text(encoding="utf-8"))
        result.results = [CheckResult.from_record(r) for r in payload.get("results", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        result.crashed = f"pytest exited with code {returncode} before writing its report"
        result.results = []
        return result
    result.timed_out = any(r.timed_out for r in result.results)
    if returncode == INTERNAL_ERROR:  # pytest gave up part-way: later checks never ran
        result.crashed = (
            f"pytest stopped with an internal error after {len(result.results)} check(s); "
            "the checks after those did not run"
        )
    return result
