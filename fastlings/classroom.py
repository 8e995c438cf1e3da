"""GitHub Classroom autograding: the workflow, generated from the manifest, and its command.

`fastlings dev update` writes `.github/workflows/classroom.yml`: one
`classroom-resources/autograding-command-grader` step per exercise, whose `max-score` is the
exercise's points in `course.toml`, and the `autograding-grading-reporter` step that sends the
scores to GitHub Classroom. GitHub's runners then grade every push, one learner per runner.

Each step runs `fastlings class autograde <exercise> --root course --submission submission`:
the same sandboxed grader as `class grade` (bubblewrap, which the workflow installs), with the
checks, manifest and points of a pristine checkout of the course (`course/`, the template
repository named by the `FASTLINGS_COURSE_REPO` variable) and only `exercises/` from the
learner's push (`submission/`). It exits 0 only when the exercise earns its points, which is
what the command grader scores.
"""

from __future__ import annotations

from pathlib import Path

from fastlings.course.manifest import Course, Entry

WORKFLOW_PATH = Path(".github") / "workflows" / "classroom.yml"
STEP_TIMEOUT_MINUTES = 5

HEADER = """\
# GitHub Classroom autograding for Fastlings. GENERATED from course.toml by
# `fastlings dev update`: do not edit by hand, regenerate after changing the manifest.
#
# The checks, manifest and points come from a pristine checkout of the course (`course/`): set the
# repository (or organisation) variable FASTLINGS_COURSE_REPO to the assignment's template
# repository (owner/name), and FASTLINGS_COURSE_REF to a tag or commit to pin it; for a private
# template, a secret FASTLINGS_COURSE_TOKEN that can read it. Only exercises/ is taken from the
# learner's push (`submission/`).
name: Autograding Tests
"on":
  - push
  - workflow_dispatch
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
        with:
          path: submission
      - name: Check out the pristine course
        uses: actions/checkout@v4
        with:
          repository: ${{ vars.FASTLINGS_COURSE_REPO || github.repository }}
          ref: ${{ vars.FASTLINGS_COURSE_REF || '' }}
          token: ${{ secrets.FASTLINGS_COURSE_TOKEN || github.token }}
          path: course
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install the course tooling
        run: python -m pip install --quiet ./course
      - name: Install the grading sandbox (bubblewrap)
        run: |
          sudo apt-get install -y -qq bubblewrap
          sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 || true
"""


def step_id(entry: Entry) -> str:
    return entry.exercise.id


def command(entry: Entry, at_least: int | None = None) -> str:
    base = f"fastlings class autograde {entry.exercise.id} --root course --submission submission"
    return base if at_least is None else f"{base} --at-least {at_least}"


def check_names(entry: Entry) -> list[str]:
    """The checks of an exercise, from its checks file (`def test_*` or `test_* = ...`)."""
    import ast

    tree = ast.parse(entry.checks_path.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return [n for n in names if n.startswith("test_")]


def steps(entry: Entry) -> list[tuple[str, str, int]]:
    """(step id, command, max score) for each Classroom step of an exercise. A partial-credit
    exercise gets one step per share: step k passes when at least k of its n checks pass and
    is worth floor(points*k/n) - floor(points*(k-1)/n), so the steps add up to exactly what
    `class grade` gives."""
    points = entry.exercise.points
    if not entry.exercise.partial_credit:
        return [(step_id(entry), command(entry), points)]
    n = max(1, len(check_names(entry)))
    found = []
    for k in range(1, n + 1):
        share = points * k // n - points * (k - 1) // n
        if share:
            found.append((f"{step_id(entry)}_{k}", command(entry, at_least=k), share))
    return found


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workflow(course: Course) -> str:
    entries = course.entries()
    lines = [HEADER.rstrip("\n")]
    ids = []
    for entry in entries:
        name = f"{entry.chapter.id} {entry.exercise.id}: {entry.exercise.title}"
        for sid, run, score in steps(entry):
            ids.append(sid)
            whole = sid == step_id(entry)
            shown = name if whole else f"{name} (share {sid.rsplit('_', 1)[1]})"
            lines += [
                f"      - name: {_quote(shown)}",
                f"        id: {sid}",
                "        uses: classroom-resources/autograding-command-grader@v1",
                "        with:",
                f"          test-name: {_quote(entry.qualified_id if whole else sid)}",
                f"          command: {_quote(run)}",
                f"          timeout: {STEP_TIMEOUT_MINUTES}",
                f"          max-score: {score}",
            ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
    ]
    for sid in ids:
        lines.append(f'          {sid.upper()}_RESULTS: "${{{{steps.{sid}.outputs.result}}}}"')
    lines += [
        "        with:",
        f"          runners: {','.join(ids)}",
    ]
    return "\n".join(lines) + "\n"


def write_workflow(course: Course) -> Path:
    path = course.root / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow(course), encoding="utf-8")
    return path
