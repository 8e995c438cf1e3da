"""Grading: scores (`scores`), and class grading of untrusted submissions in a sandbox.

Modules, by concept (imports only point down this list, so there is no circle):
  - `scores`: check results -> points (also used by `fastlings grade` and `check`);
  - `models`: the result models (grades.json), limits and options;
  - `report`, `html`: grades.csv, grades.json and report.html, written atomically, every
    learner-controlled string escaped for its sink;
  - `submissions`: each learner's files, read into memory before any learner code runs;
  - `channel`: the signed result channel, both ends;
  - `confine`: rlimits and the seccomp filter the child applies to itself;
  - `integrity`, `audit`: what the child watches and refuses while learner code runs;
  - `child`: what runs inside the sandbox;
  - `sandbox`: the bubblewrap command line and one run of the child;
  - `grader`: orchestration; `commands`: the CLI entry points.
"""

from fastlings.grading.scores import (
    CheckGrade,
    CourseGrade,
    ExerciseGrade,
    grade_exercise,
)

__all__ = ["CheckGrade", "CourseGrade", "ExerciseGrade", "grade_exercise"]
