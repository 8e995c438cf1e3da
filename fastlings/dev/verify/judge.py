"""Gates 3 and 4: on every starter exactly the declared checks fail, each by assertion; on
every solution every check passes."""

from __future__ import annotations

from collections import defaultdict

from fastlings.course.manifest import Entry
from fastlings.dev.verify.report import Report, first_line
from fastlings.run.record import CheckResult


def judge_starter(entry: Entry, results: list[CheckResult], report: Report) -> str:
    declared = set(entry.exercise.failing_checks)
    by_name: dict[str, list[CheckResult]] = defaultdict(list)
    for result in results:
        if result.phase == "collect" or result.name is None:
            report.breach(entry.qualified_id, f"checks file fails to collect: {result.message}")
            return "collection error"
        by_name[result.name].append(result)
    for name in sorted(declared - set(by_name)):
        report.breach(entry.qualified_id, f"declared failing check {name} does not exist")
    failing_by_assertion = 0
    for name, cases in sorted(by_name.items()):
        for case in cases:
            if case.outcome == "error" or (case.outcome == "failed" and case.kind != "assertion"):
                report.breach(
                    entry.qualified_id,
                    f"on the starter, {case.nodeid.split('::')[-1]} errors instead of failing "
                    f"by assertion ({case.kind}, {case.phase}): {first_line(case.message)}",
                )
        failed = [c for c in cases if c.outcome == "failed" and c.kind == "assertion"]
        for case in failed:
            if not case.message or case.message.startswith("assert "):
                report.breach(
                    entry.qualified_id,
                    f"on the starter, {case.nodeid.split('::')[-1]} fails with a bare assert; "
                    "give it a teaching message (observed, expected, lesson section)",
                )
        if name in declared:
            if not failed:
                report.breach(entry.qualified_id, f"on the starter, {name} does not fail")
            else:
                failing_by_assertion += 1
        elif failed:
            report.breach(
                entry.qualified_id,
                f"on the starter, {name} fails but is not declared in failing_checks",
            )
    return f"starter fails {failing_by_assertion}/{len(declared)} declared checks by assertion"


def judge_solution(entry: Entry, results: list[CheckResult], report: Report) -> str:
    if not results:
        report.breach(entry.qualified_id, "no check ran against the solution")
        return "no checks ran"
    bad = [r for r in results if r.outcome != "passed"]
    for result in bad:
        report.breach(
            entry.qualified_id,
            f"on the solution, {result.nodeid.split('::')[-1] or result.file} "
            f"{result.outcome} ({result.kind}): {first_line(result.message)}",
        )
    return f"solution passes {len(results) - len(bad)}/{len(results)}"
