"""Checks for chapter 5, exercise 1: one session per request, closed when the request ends.

The four checks are `SessionChecks` (in this chapter's conftest), run on the notes API."""

from checks.ch05_async_sessions import session_probes as probes
from checks.ch05_async_sessions.conftest import SessionChecks


class TestNotes(SessionChecks):
    api = probes.Api(path="/notes", payload={"title": "Buy milk"}, model="Note")
