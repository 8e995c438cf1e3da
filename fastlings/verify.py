"""`fastlings verify`: the course's integrity gate.

It proves, on every run:
  1. the manifest and the files agree one to one (no missing or stray file), and the code
     snippets in lessons match the files they are copied from;
  2. every starter marks each place to change with `# TODO:`;
  3. on every starter, exactly the declared checks fail, each by assertion;
  4. on every solution, every check passes;
  5. solutions, checks and tooling are ruff- and mypy-clean;
  6. every notebook validates under nbval.
The slow steps run side by side in separate processes.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import shutil
import subprocess
import sys
import tokenize
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fastlings.manifest import (
    Course,
    Entry,
    ManifestError,
    lesson_path,
    load_course,
    notebook_path,
)
from fastlings.runner import CheckResult, RunResult, run_checks
from fastlings.snippets import render_readme, stale_lessons

TODO = "# TODO:"
LINT_PATHS = ("fastlings", "checks", "solutions", "exercises", "tests", "bench")
TYPED_PATHS = ("fastlings", "checks", "solutions")


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)

    def breach(self, where: str, what: str) -> None:
        self.breaches.append(f"{where}: {what}")


Printer = Callable[[str], None]


# -- 1 and 2: files -------------------------------------------------------------------------
def check_files(course: Course, report: Report) -> None:
    root = course.root
    expected: dict[str, set[Path]] = defaultdict(set)
    for entry in course.entries():
        where = entry.qualified_id
        for label, path in (
            ("starter", entry.exercise_path),
            ("solution", entry.solution_path),
            ("checks file", entry.checks_path),
        ):
            expected[label].add(path.resolve())
            if not path.is_file():
                report.breach(where, f"{label} {path.relative_to(root)} is missing")
    for chapter in course.chapters:
        lesson = lesson_path(root, chapter)
        notebook = notebook_path(root, chapter)
        expected["lesson"].add(lesson.resolve())
        expected["notebook"].add(notebook.resolve())
        if not lesson.is_file():
            report.breach(chapter.id, f"lesson {lesson.relative_to(root)} is missing")
        else:
            headings = _headings(lesson.read_text(encoding="utf-8"))
            for exercise in chapter.exercises:
                if exercise.section not in headings:
                    report.breach(
                        f"{chapter.id}/{exercise.id}",
                        f"section {exercise.section!r} is not a heading of "
                        f"{lesson.relative_to(root)}",
                    )
        if not notebook.is_file():
            report.breach(chapter.id, f"notebook {notebook.relative_to(root)} is missing")
    lessons = [lesson_path(root, c) for c in course.chapters]
    for problem in stale_lessons(root, lessons):
        report.breach("lessons", problem)
    readme = root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if render_readme(course, text) != text:
            report.breach("README.md", "the chapter map is stale; run `fastlings snippets`")
    for extra in course.course.extra_lessons:
        expected["lesson"].add((root / "lessons" / extra).resolve())

    found = {
        "starter": _files(root / "exercises", "*.py"),
        "solution": _files(root / "solutions", "*.py"),
        "checks file": _files(root / "checks", "test_*.py"),
        "lesson": _files(root / "lessons", "*.md"),
        "notebook": _files(root / "notebooks", "*.ipynb"),
    }
    for label, paths in found.items():
        for path in sorted(paths - expected[label]):
            report.breach(
                "manifest", f"stray {label} {path.relative_to(root)}: no course.toml entry uses it"
            )


def _files(folder: Path, pattern: str) -> set[Path]:
    if not folder.is_dir():
        return set()
    return {
        p.resolve()
        for p in folder.rglob(pattern)
        if "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    }


def _headings(markdown: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", markdown, re.M)}


def check_todos(entry: Entry, report: Report) -> None:
    """Every code block the solution changes must carry a `# TODO:` in the starter, on the
    changed lines or in the 8 lines above them. Docstrings, imports and comments are ignored."""
    if not (entry.exercise_path.is_file() and entry.solution_path.is_file()):
        return
    starter_text = entry.exercise_path.read_text(encoding="utf-8")
    starter_lines = starter_text.splitlines()
    if not any(TODO in line for line in starter_lines):
        report.breach(entry.qualified_id, f"the starter has no {TODO!r} marker")
        return
    try:
        starter = _code_lines(starter_text)
        solution = _code_lines(entry.solution_path.read_text(encoding="utf-8"))
    except (SyntaxError, tokenize.TokenError) as exc:
        report.breach(entry.qualified_id, f"cannot compare starter and solution: {exc}")
        return
    matcher = difflib.SequenceMatcher(
        a=[text for _, text in starter], b=[text for _, text in solution], autojunk=False
    )
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            first, last = starter[i1][0], starter[i2 - 1][0]
        else:  # lines only the solution has: the marker belongs just above the insertion point,
            # or in the comment lines between it and the next code line ("write X here")
            first = starter[i1 - 1][0] if i1 > 0 else 1
            last = starter[i1][0] - 1 if i1 < len(starter) else len(starter_lines)
        window = starter_lines[max(0, first - 9) : last]
        if not any(TODO in line for line in window):
            rel = entry.exercise_path.relative_to(entry.course.root)
            report.breach(
                entry.qualified_id,
                f"{rel}:{first} differs from the solution but has no {TODO!r} marker "
                "on it or in the 8 lines above",
            )


def _code_lines(source: str) -> list[tuple[int, str]]:
    """(line number, code without comments) for each line that is code, not docstring/import."""
    tree = ast.parse(source)
    skip: set[int] = set()
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        skip.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            skip.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    lines = source.splitlines()
    comments: dict[int, int] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.start[1]
    code: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if number in skip:
            continue
        text = line[: comments[number]] if number in comments else line
        if text.strip():
            code.append((number, text.rstrip()))
    return code


# -- 3 and 4: checks on starters and solutions ----------------------------------------------
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
                    f"by assertion ({case.kind}, {case.phase}): {_first_line(case.message)}",
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
            f"{result.outcome} ({result.kind}): {_first_line(result.message)}",
        )
    return f"solution passes {len(results) - len(bad)}/{len(results)}"


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "no message"


# -- 5 and 6: lint, types, notebooks --------------------------------------------------------
def _tool(root: Path, command: list[str], timeout: float = 900) -> tuple[int, str]:
    # Lint, types and notebooks run beside the checks at a lower priority, so that the checks'
    # concurrency timings (chapter 8) see a machine that is as calm as it can be.
    nice = shutil.which("nice")
    try:
        done = subprocess.run(
            [nice, "-n", "10", *command] if nice else command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        return 127, f"{command[0]} is not installed: pip install -e '.[dev]'"
    except subprocess.TimeoutExpired:
        return 124, f"{' '.join(command)} did not finish in {timeout:g}s"
    return done.returncode, (done.stdout + done.stderr).strip()


def _existing(root: Path, names: Iterable[str]) -> list[str]:
    return [name for name in names if (root / name).exists()]


def run_ruff(root: Path) -> tuple[int, str]:
    """Lint, then formatting, of everything but the notebooks."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    paths = _existing(root, LINT_PATHS)
    code, output = _tool(root, [ruff, "check", "--quiet", *paths])
    if code != 0:
        return code, output
    return _tool(root, [ruff, "format", "--check", "--quiet", *paths])


def run_mypy(root: Path) -> tuple[int, str]:
    return _tool(root, [sys.executable, "-m", "mypy", *_existing(root, TYPED_PATHS)])


def run_notebooks(root: Path, course: Course) -> tuple[int, str]:
    notebooks = [
        str(notebook_path(root, c).relative_to(root))
        for c in course.chapters
        if notebook_path(root, c).is_file()
    ]
    if not notebooks:
        return 0, "no notebooks"
    sanitize = root / "notebooks" / "sanitize.cfg"
    command = [sys.executable, "-m", "pytest", "-p", "nbval", "--nbval", "-q", "-p"]
    command += ["no:cacheprovider", "--no-header", "-o", "timeout=300", *notebooks]
    if sanitize.is_file():
        command += ["--nbval-sanitize-with", str(sanitize.relative_to(root))]
    return _tool(root, command)


# -- the gate -------------------------------------------------------------------------------
def verify(
    root: Path,
    *,
    lint: bool = True,
    notebooks: bool = True,
    db_url: str | None = None,
    echo: Printer = print,
) -> Report:
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

    paths = sorted(
        e.checks_path.relative_to(root).as_posix()
        for e in course.entries()
        if e.checks_path.is_file()
    )
    with ThreadPoolExecutor(max_workers=5) as pool:
        starters = pool.submit(run_checks, root, paths, "exercise", db_url=db_url)
        solutions = pool.submit(run_checks, root, paths, "solution", db_url=db_url)
        tools: dict[str, Future[tuple[int, str]]] = {}
        if lint:
            tools["ruff"] = pool.submit(run_ruff, root)
            tools["mypy"] = pool.submit(run_mypy, root)
        if notebooks:
            tools["nbval"] = pool.submit(run_notebooks, root, course)
        starter_run, solution_run = starters.result(), solutions.result()

    for label, run in (("starters", starter_run), ("solutions", solution_run)):
        if run.crashed:
            report.breach(label, f"{run.crashed}\n{run.output[-3000:]}")

    for entry in course.entries():
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
            echo(f"  - {_first_line(breach)}")
    else:
        echo("verify: OK")


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
