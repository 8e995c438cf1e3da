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


def command(entry: Entry) -> str:
    return f"fastlings class autograde {entry.exercise.id} --root course --submission submission"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workflow(course: Course) -> str:
    entries = course.entries()
    lines = [HEADER.rstrip("\n")]
    for entry in entries:
        name = f"{entry.chapter.id} {entry.exercise.id}: {entry.exercise.title}"
        lines += [
            f"      - name: {_quote(name)}",
            f"        id: {step_id(entry)}",
            "        uses: classroom-resources/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {_quote(entry.qualified_id)}",
            f"          command: {_quote(command(entry))}",
            f"          timeout: {STEP_TIMEOUT_MINUTES}",
            f"          max-score: {entry.exercise.points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
    ]
    for entry in entries:
        sid = step_id(entry)
        lines.append(f'          {sid.upper()}_RESULTS: "${{{{steps.{sid}.outputs.result}}}}"')
    lines += [
        "        with:",
        f"          runners: {','.join(step_id(e) for e in entries)}",
    ]
    return "\n".join(lines) + "\n"


def write_workflow(course: Course) -> Path:
    path = course.root / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow(course), encoding="utf-8")
    return path
