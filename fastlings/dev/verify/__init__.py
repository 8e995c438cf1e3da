"""`fastlings dev verify`: the course's integrity gate.

It proves, on every run:
  1. the manifest and the files agree one to one (no missing or stray file), and the code
     snippets in lessons match the files they are copied from;
  2. every starter marks each place to change with `# TODO:`;
  3. on every starter, exactly the declared checks fail, each by assertion;
  4. on every solution, every check passes;
  5. solutions, checks and tooling are ruff- and mypy-clean;
  6. every notebook validates under nbval;
  7. no lesson shows a solution's fix (four or more consecutive changed lines);
  8. every derived file (lesson snippets, the README chapter map, the classroom workflow) is
     fresh.
The slow steps run side by side in separate processes.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from fastlings.course.manifest import Course, ManifestError, Target, load_course
from fastlings.dev.verify.files import check_files, check_scaffold
from fastlings.dev.verify.judge import judge_solution, judge_starter
from fastlings.dev.verify.leaks import check_lesson_leaks
from fastlings.dev.verify.report import Printer, Report, first_line
from fastlings.dev.verify.todos import check_todos
from fastlings.dev.verify.tools import run_mypy, run_notebooks, run_ruff
from fastlings.run.process import run_checks
from fastlings.run.record import RunResult
from fastlings.run.spec import RunSpec

__all__ = ["Report", "verify"]


def _spec(paths: list[str], target: Target, db_server: str | None) -> RunSpec:
    return RunSpec(paths=tuple(paths), target=target, db_server=db_server)


# -- the gate -------------------------------------------------------------------------------
def verify(
    root: Path,
    *,
    lint: bool = True,
    notebooks: bool = True,
    db_server: str | None = None,
    chapters: tuple[str, ...] = (),
    echo: Printer = print,
) -> Report:
    """The whole gate; `chapters` (ids) limits the checks and notebooks to those chapters,
    while the files, TODOs, leaks and derived files are always checked course-wide."""
    report = Report()
    try:
        course = load_course(root)
    except ManifestError as exc:
        report.breach("course.toml", str(exc))
        echo(f"✗ course.toml: {exc}")
        return report

    check_files(course, report)
    for entry in course.entries():
        check_todos(entry, report)
    check_lesson_leaks(course, report)
    check_scaffold(course, report)

    unknown = sorted(set(chapters) - {c.id for c in course.chapters})
    if unknown:
        report.breach("--chapter", f"no such chapter: {', '.join(unknown)}")
    chosen = [e for e in course.entries() if not chapters or e.chapter.id in chapters]
    paths = sorted(
        e.checks_path.relative_to(root).as_posix() for e in chosen if e.checks_path.is_file()
    )
    with ThreadPoolExecutor(max_workers=5) as pool:
        starters = pool.submit(run_checks, root, _spec(paths, "exercise", db_server))
        solutions = pool.submit(run_checks, root, _spec(paths, "solution", db_server))
        tools: dict[str, Future[tuple[int, str]]] = {}
        if lint:
            tools["ruff"] = pool.submit(run_ruff, root)
            tools["mypy"] = pool.submit(run_mypy, root)
        if notebooks:
            tools["nbval"] = pool.submit(run_notebooks, root, course, chapters)
        starter_run, solution_run = starters.result(), solutions.result()

    for label, run in (("starters", starter_run), ("solutions", solution_run)):
        if run.crashed:
            report.breach(label, f"{run.crashed}\n{run.output[-3000:]}")

    for entry in chosen:
        before = len(report.breaches)
        starter = judge_starter(entry, starter_run.for_entry(entry), report)
        solution = judge_solution(entry, solution_run.for_entry(entry), report)
        mark = "✓" if len(report.breaches) == before else "✗"
        line = f"{mark} {entry.qualified_id:<52} {starter}; {solution}"
        report.lines.append(line)
        echo(line)
        for breach in report.breaches[before:]:
            echo(f"    {breach}")

    for name, future in tools.items():
        code, output = future.result()
        if code == 0:
            echo(f"✓ {name}")
        else:
            report.breach(name, output[-4000:] or f"exit code {code}")
            echo(f"✗ {name}\n{_indent(output[-4000:])}")

    _summary(course, report, starter_run, solution_run, echo)
    return report


def _summary(
    course: Course, report: Report, starters: RunResult, solutions: RunResult, echo: Printer
) -> None:
    entries = course.entries()
    echo(
        f"\n{len(course.chapters)} chapters, {len(entries)} exercises, "
        f"{len(starters.results)} checks on starters, {len(solutions.results)} on solutions."
    )
    if report.breaches:
        echo(f"verify: FAILED with {len(report.breaches)} breach(es):")
        for breach in report.breaches:
            echo(f"  - {first_line(breach)}")
    else:
        echo("verify: OK")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
