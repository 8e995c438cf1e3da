"""The result channel between the sandboxed child and the grader: both ends.

Each result travels as one line on an inherited pipe: JSON, a tab, then an HMAC-SHA256 of the
JSON with a key the grader made for this run only. Every line carries a sequence number and the
child's pid (the first line fixes it), so lines written by another process, replayed or out of
order, are rejected. The child's end (`make_sender`) is created inside the child's audit hook
(`fastlings.grading.audit`) and lives only in its closure: no module, object or frame that
learner code can reach holds the key, the pipe's number or the sequence.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MiB = 1024 * 1024
MAX_CHANNEL_BYTES = 64 * MiB


def make_sender(fd: int, key: bytes) -> Callable[..., None]:
    """The child's end: `send(kind, **fields)` writes one signed, numbered line."""
    write, dumps, new, sha256, getpid = os.write, json.dumps, hmac.new, hashlib.sha256, os.getpid
    seq = [0]

    def send(kind: str, **fields: Any) -> None:
        seq[0] += 1
        body = dumps({"type": kind, "seq": seq[0], "pid": getpid(), **fields})
        signature = new(key, body.encode(), sha256).hexdigest()
        data = f"{body}\t{signature}\n".encode()
        while data:
            data = data[write(fd, data) :]

    return send


@dataclass
class WorkerRun:
    """What the grader observed of one child."""

    collected: list[str] | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    exitstatus: int | None = None
    returncode: int | None = None
    timed_out: bool = False
    budget_spent: bool = False  # the learner's total budget ended this run
    tampered: str | None = None  # why the channel or the machinery cannot be trusted
    seconds: float = 0.0
    budget: float = 0.0  # the wall-clock seconds this run was given
    log: str = ""  # the child's output, for diagnostics only (never scored)
    sandbox: str = ""  # the confinement the child reported

    @property
    def clean(self) -> bool:
        return self.finished and not self.tampered and not self.timed_out


def verify_line(line: bytes, key: bytes) -> dict[str, Any] | None:
    body, _, signature = line.rstrip(b"\n").rpartition(b"\t")
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not body or not hmac.compare_digest(expected, signature):
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def read_channel(
    run: WorkerRun, exited: Callable[[], bool], fd: int, key: bytes, deadline: float
) -> None:
    """The grader's end: read until `finish`, a broken line, the writers' end or `deadline`."""
    buffer = b""
    expected_seq = 1
    pid: object = None
    total = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.timed_out = True
            return
        ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
        if not ready:
            if exited() and not select.select([fd], [], [], 0)[0]:
                return
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return  # every writer closed the pipe
        total += len(chunk)
        buffer += chunk
        if total > MAX_CHANNEL_BYTES:
            run.tampered = "the checks process flooded the result channel"
            return
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = verify_line(line, key)
            if message is None:
                run.tampered = "an unsigned or altered line reached the result channel"
                return
            if pid is None:
                pid = message.get("pid")
            if message.get("pid") != pid:
                run.tampered = "a process other than the checks process wrote to the result channel"
                return
            if message.get("seq") != expected_seq:
                run.tampered = "result lines arrived out of order or were replayed"
                return
            expected_seq += 1
            if _take(run, message):
                return


def _take(run: WorkerRun, message: dict[str, Any]) -> bool:
    """Apply one verified message; True when it ends the run."""
    kind = message.get("type")
    if kind == "sandbox":
        run.sandbox = str(message.get("description"))
    elif kind == "collected":
        run.collected = [str(n) for n in message.get("nodeids", [])]
    elif kind == "record":
        run.records.append(dict(message["record"]))
    elif kind == "tampered":
        run.tampered = f"the check machinery was tampered with: {message.get('reason')}"
        return True
    elif kind == "finish":
        if message.get("records") != len(run.records):
            run.tampered = "the record count at the end does not match what arrived"
            return True
        run.finished = True
        run.exitstatus = int(message.get("exitstatus", -1))
        return True
    return False
