"""Gate 2: every place the solution changes is marked `# TODO:` in the starter."""

from __future__ import annotations

import ast
import difflib
import io
import tokenize

from fastlings.course.manifest import Entry
from fastlings.dev.verify.report import Report

TODO = "# TODO:"


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
