"""`report.html`: one self-contained page (no script, no network) an instructor opens in a browser.

It shows the per-exercise pass rate as an inline SVG bar chart (so the class's sticking points
stand out), then a learners x exercises grid with each zero's reason, then every failing check's
message per learner. Every learner-controlled string is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from fastlings.grading.models import ClassGrade
from fastlings.grading.scores import first_reason

PASS, FAIL, TAMPER = "#2e7d32", "#c62828", "#6a1b9a"

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem; color: #222; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; font-size: 1.2rem; }
.meta { color: #555; }
table { border-collapse: collapse; margin-top: .5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: center; }
th { background: #f3f3f3; } td.name { text-align: left; font-family: monospace; }
td.ok { background: #e8f5e9; color: #1b5e20; } td.ko { background: #ffebee; color: #b71c1c; }
td.tamper { background: #f3e5f5; color: #4a148c; font-weight: bold; }
details { margin: .3rem 0; } summary { cursor: pointer; font-family: monospace; }
pre { white-space: pre-wrap; background: #fafafa; border: 1px solid #eee; padding: .4rem;
      margin: .2rem 0 .6rem; font-size: 13px; }
.legend span { display: inline-block; width: .8rem; height: .8rem; margin: 0 .3rem 0 1rem; }
"""


def _is_tamper(reason: str | None) -> bool:
    return reason is not None and reason.startswith("zero:")


def chart(result: ClassGrade) -> str:
    """A horizontal bar per exercise: the share of learners who passed it."""
    rates = result.pass_rates()
    label_width, bar_width, row = 260, 420, 26
    height = row * len(result.exercises) + 40
    width = label_width + bar_width + 70
    parts = [
        f'<svg id="pass-rate-chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        "<title>Pass rate per exercise</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        x = label_width + bar_width * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{height - 25}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
            f'fill="#555">{tick}%</text>'
        )
    for index, info in enumerate(result.exercises):
        rate = rates.get(info.id, 0.0)
        y = 12 + index * row
        colour = PASS if rate >= 0.75 else ("#ef6c00" if rate >= 0.4 else FAIL)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 14}" font-size="12" text-anchor="end" '
            f'font-family="monospace">{escape(info.id)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{bar_width}" height="{row - 8}" '
            f'fill="#f1f1f1"/>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{max(bar_width * rate, 2):.1f}" '
            f'height="{row - 8}" fill="{colour}"><title>{escape(info.id)}: '
            f"{rate:.0%} passed</title></rect>"
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}" font-size="12">'
            f"{rate:.0%}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render(result: ClassGrade) -> str:
    learners = result.learners
    total = len(learners)
    mean = sum(lg.points_earned for lg in learners) / total if total else 0.0
    head = "".join(
        f'<th title="{escape(e.title)}">{escape(e.id)}<br><small>{e.points} pts</small></th>'
        for e in result.exercises
    )
    rows: list[str] = []
    for learner in learners:
        cells: list[str] = []
        for info in result.exercises:
            grade = learner.exercise(info.id)
            reason = first_reason(grade)
            css = "ok" if grade.passed else ("tamper" if _is_tamper(grade.reason) else "ko")
            title = f' title="{escape(reason)}"' if reason else ""
            cells.append(
                f'<td class="{css}"{title}>{grade.points_earned}/{grade.points_possible}</td>'
            )
        rows.append(
            f'<tr><td class="name">{escape(learner.learner)}</td>{"".join(cells)}'
            f"<th>{learner.points_earned}/{learner.points_possible}</th></tr>"
        )
    details: list[str] = []
    for learner in learners:
        items: list[str] = []
        for grade in learner.exercises:
            if grade.passed:
                continue
            lines = [f"{grade.id}: {grade.points_earned}/{grade.points_possible}"]
            if grade.reason:
                lines.append(grade.reason)
            lines += [
                f"✗ {c.name} ({c.outcome}): {c.message or ''}".rstrip()
                for c in grade.checks
                if not c.passed
            ]
            items.append(f"<pre>{escape(chr(10).join(lines))}</pre>")
        if learner.notes:
            items.append(f"<pre>{escape(chr(10).join(learner.notes))}</pre>")
        if items:
            details.append(
                f"<details><summary>{escape(learner.learner)} — "
                f"{learner.points_earned}/{learner.points_possible}</summary>"
                f"{''.join(items)}</details>"
            )
    skipped = ""
    if result.skipped:
        listed = "".join(
            f"<li><code>{escape(s.folder)}</code>: {escape(s.reason)}</li>" for s in result.skipped
        )
        skipped = f"<h2>Skipped submission folders</h2><ul>{listed}</ul>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {escape(result.course)}</title>
<style>{STYLE}</style></head>
<body>
<h1>Class report</h1>
<p class="meta">{escape(result.course)}: {total} learner(s), {len(result.exercises)} exercise(s),
mean {mean:.1f}/{result.points_possible} points. Graded in {result.seconds:.1f}s
({escape(result.isolation)}).</p>
<h2>Pass rate per exercise</h2>
{chart(result)}
<h2>Scores</h2>
<p class="legend"><span style="background:#e8f5e9"></span>passed
<span style="background:#ffebee"></span>failing checks
<span style="background:#f3e5f5"></span>zero by the grader (missing file, crash, timeout,
tampering): hover a cell for the reason</p>
<table><thead><tr><th>learner</th>{head}<th>total</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{skipped}<h2>What failed, per learner</h2>
{"".join(details) or "<p>Every learner passed every exercise.</p>"}
</body></html>
"""
