"""The instructor's page, rendered on the server with every learner string escaped; the
browser only swaps in a fresh rendering when the live stream says something changed."""

from __future__ import annotations

from html import escape

from fastlings.dashboard.schemas import Room

SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fastlings: the room</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}}
table{{border-collapse:collapse;margin-bottom:1.5rem}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}}
.pass{{color:#1b7f3b}}.fail{{color:#b3261e}}
.heat td.n{{text-align:right;font-weight:600}}
</style></head><body>
<h1>Fastlings: the room</h1>
<p><a href="/api/events.csv">Export this session's events (CSV)</a></p>
<div id="room">{body}</div>
<script>
const source = new EventSource("/api/stream");
source.onmessage = async () => {{
  const response = await fetch("/fragment", {{credentials: "same-origin"}});
  if (response.ok) document.getElementById("room").innerHTML = await response.text();
}};
</script>
</body></html>
"""


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.0f} min"


def fragment(state: Room) -> str:
    rows = []
    for learner in state.learners:
        mark = {True: "pass", False: "fail", None: ""}[learner.passed]
        shown = {True: "passed", False: "failing", None: "no run yet"}[learner.passed]
        rows.append(
            '<tr class="learner">'
            f"<td>{escape(learner.name)}</td>"
            f"<td>{escape(learner.current_exercise or '')}</td>"
            f"<td>{_minutes(learner.seconds_on_exercise)}</td>"
            f'<td class="{mark}">{shown}</td>'
            f"<td>{escape(learner.first_failure or '')}</td>"
            f"<td>{escape(learner.headline or '')}</td></tr>"
        )
    most = max(state.failing_by_check.values(), default=1)
    heat = []
    for check, count in state.failing_by_check.items():
        alpha = 0.15 + 0.85 * count / most
        heat.append(
            f'<tr class="check"><td>{escape(check)}</td>'
            f'<td class="n" style="background:rgba(179,38,30,{alpha:.2f})">{count}</td></tr>'
        )
    passed = "".join(
        f"<tr><td>{escape(exercise)}</td><td>{count}</td></tr>"
        for exercise, count in sorted(state.passed_by_exercise.items())
    )
    firsts = "".join(
        f"<li>{escape(check)}: {count}</li>" for check, count in state.common_first_failures
    )
    return (
        '<h2>Learners</h2><table id="learners"><tr><th>name</th><th>exercise</th>'
        "<th>time on it</th><th>last run</th><th>first failing check</th><th>headline</th></tr>"
        + "".join(rows)
        + '</table><h2>Failing right now, per check</h2><table id="heatmap" class="heat">'
        + "".join(heat)
        + '</table><h2>Passed, per exercise</h2><table id="passed">'
        + passed
        + f"</table><h2>Most common first failures</h2><ul>{firsts}</ul>"
    )


def page(state: Room) -> str:
    return SHELL.format(body=fragment(state))
