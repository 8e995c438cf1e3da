"""Learner commands: watch, list, check, hint, reset, diff, serve, grade, solutions-branch."""
