"""The learner's side: `fastlings class join` / `class leave`, and one small event per run.

Joining is opt-in. Once joined, each run of `check` or watch mode appends one event to
`.fastlings/dashboard-outbox.jsonl` and sends the outbox in the background with a short
timeout: a room that is offline or slow never slows or breaks the loop, and what could not be
sent is sent with a later run. An event holds the exercise id, the passed and failing check
names, the first failing check's name and the first line of its message (absolute paths
removed), the run's duration and the tooling's version: never code or file contents.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from fastlings import __version__
from fastlings.course.state import StateError, read_json, state_dir, warn_once, write_json
from fastlings.grading import ExerciseGrade

TIMEOUT = 2.0
OUTBOX_LIMIT = 500
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[\w.-]+/)+[\w.-]*")


def joined_path(root: Path) -> Path:
    return state_dir(root) / "dashboard-learner.json"


def outbox_path(root: Path) -> Path:
    return state_dir(root) / "dashboard-outbox.jsonl"


class JoinError(Exception):
    pass


def join(root: Path, url: str, code: str, name: str) -> str:
    """Join the room at `url`; the learner's token is kept in `.fastlings/`. Returns the name."""
    import httpx

    base = url.rstrip("/")
    try:
        response = httpx.post(
            f"{base}/api/join", json={"join_code": code, "name": name}, timeout=10
        )
    except httpx.HTTPError as exc:
        raise JoinError(f"Cannot reach the dashboard at {base}: {exc}") from None
    if response.status_code != 201:
        detail = response.json().get("detail") if response.content else None
        raise JoinError(f"The dashboard refused: {response.status_code} {detail}")
    body = response.json()
    try:
        write_json(joined_path(root), {"url": base, "name": body["name"], "token": body["token"]})
        os.chmod(joined_path(root), 0o600)
    except StateError as exc:
        raise JoinError(str(exc)) from None
    return str(body["name"])


def leave(root: Path) -> bool:
    """Forget the room: the token and any unsent events. False when not joined."""
    found = joined_path(root).is_file()
    joined_path(root).unlink(missing_ok=True)
    outbox_path(root).unlink(missing_ok=True)
    return found


def headline(grade: ExerciseGrade) -> str | None:
    first = next((c for c in grade.checks if not c.passed), None)
    if first is None or not first.message:
        return None
    line = first.message.strip().splitlines()[0]
    return ABSOLUTE_PATH.sub("<path>", line)[:300]


def event(grade: ExerciseGrade, duration: float) -> dict[str, Any]:
    first = next((c for c in grade.checks if not c.passed), None)
    return {
        "exercise": grade.id,
        "passed": grade.passed,
        "passed_checks": [c.name for c in grade.checks if c.passed],
        "failing_checks": [c.name for c in grade.checks if not c.passed],
        "first_failure": first.name if first else None,
        "headline": headline(grade),
        "duration": round(max(0.0, min(duration, 3600.0)), 3),
        "version": __version__,
    }


def record(root: Path, grades: list[ExerciseGrade], duration: float, *, wait: bool) -> None:
    """Queue one event per graded exercise and send the outbox in the background: in a
    thread (`wait=False`, long-lived processes) or a detached child process."""
    if not joined_path(root).is_file():
        return
    try:
        with outbox_path(root).open("a", encoding="utf-8") as outbox:
            for grade in grades:
                outbox.write(json.dumps(event(grade, duration / max(1, len(grades)))) + "\n")
    except OSError as exc:
        warn_once(f"The dashboard event was not queued: {exc}.")
        return
    if wait:
        threading.Thread(target=flush, args=(root,), daemon=True).start()
    else:
        with contextlib.suppress(OSError):
            subprocess.Popen(
                [sys.executable, "-m", "fastlings.dashboard.client", str(root)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )


def flush(root: Path) -> int:
    """Send the queued events in order; stop at the first that fails. Returns how many went."""
    import httpx

    joined = read_json(joined_path(root))
    path = outbox_path(root)
    if not joined or not path.is_file():
        return 0
    with path.open("r+", encoding="utf-8") as outbox:
        try:
            fcntl.flock(outbox, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return 0  # another flush is sending them
        lines = [line for line in outbox.read().splitlines() if line.strip()][-OUTBOX_LIMIT:]
        sent = 0
        headers = {"Authorization": f"Bearer {joined['token']}"}
        with httpx.Client(base_url=str(joined["url"]), timeout=TIMEOUT, headers=headers) as api:
            for line in lines:
                try:
                    response = api.post(
                        "/api/events", content=line, headers={"Content-Type": "application/json"}
                    )
                except httpx.HTTPError:
                    break
                if response.status_code == 429:
                    break  # rate-limited: keep it for later
                sent += 1  # 201, or refused for good (4xx): either way it leaves the outbox
        outbox.seek(0)
        outbox.truncate()
        outbox.write("".join(line + "\n" for line in lines[sent:]))
    return sent


if __name__ == "__main__":
    flush(Path(sys.argv[1]))
