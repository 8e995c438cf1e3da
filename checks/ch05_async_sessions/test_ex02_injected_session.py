"""Checks for chapter 5, exercise 2: sessions from Depends(get_db), readable after commit.

The four checks are `SessionChecks` (in this chapter's conftest), run on the tasks API."""

from checks.ch05_async_sessions import session_probes as probes
from checks.ch05_async_sessions.conftest import SessionChecks


class TestTasks(SessionChecks):
    api = probes.Api(path="/tasks", payload={"title": "Water the plants"}, model="Task")
