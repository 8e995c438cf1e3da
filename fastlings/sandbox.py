"""Run the checks on untrusted code in a child process the grader controls.

What the child gets (see `run_worker`):
  - a clean environment built from scratch (no PYTEST_ADDOPTS, PYTHONPATH, FASTLINGS_*), with
    HTTP(S)/ALL proxies pointing at a dead local port;
  - its own session (process group), killed as a whole when the run ends or its wall-clock
    budget is spent;
  - its configuration, limits and an HMAC key on stdin, and one inherited pipe for results.
The child confines itself before running any learner code (`fastlings.confine`: rlimits, a
seccomp filter against new processes, a private network namespace when root).

What comes back (`WorkerRun`) is built only from the pipe's signed lines and from the child's exit
status as the grader's own `wait` sees it. Nothing the child prints is used for scoring.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEAD_PROXY = "http://127.0.0.1:9"
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    check_timeout: float = 10.0  # per check (pytest-timeout, inside the child)
    wall_per_exercise: float = 60.0  # the child's wall-clock budget, per exercise it runs
    wall_base: float = 30.0  # plus this for interpreter start-up and collection
    memory_mb: int = 2048  # RLIMIT_AS
    nproc: int = 256  # RLIMIT_NPROC (threads count too)
    fsize_mb: int = 64  # RLIMIT_FSIZE

    def wall(self, exercises: int) -> float:
        return self.wall_base + self.wall_per_exercise * exercises


@dataclass
class WorkerRun:
    """What the grader observed of one child."""

    collected: list[str] | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    exitstatus: int | None = None
    returncode: int | None = None
    timed_out: bool = False
    tampered: str | None = None  # why the channel or the machinery cannot be trusted
    seconds: float = 0.0
    log: str = ""  # the child's output, for diagnostics only (never scored)
    sandbox: str = ""  # the confinement the child applied to itself

    @property
    def clean(self) -> bool:
        return self.finished and not self.tampered and not self.timed_out


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def child_env(scratch: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONNOUSERSITE": "1",
        "NO_COLOR": "1",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env[name] = DEAD_PROXY
    env["all_proxy"] = DEAD_PROXY
    # loopback stays direct: the database server and servers the checks start (chapter 8)
    env["NO_PROXY"] = env["no_proxy"] = "localhost,127.0.0.1,::1"
    return env


def _verify_line(line: bytes, key: bytes) -> dict[str, Any] | None:
    body, _, signature = line.rstrip(b"\n").rpartition(b"\t")
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not body or not hmac.compare_digest(expected, signature):
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


class ForkServer:
    """A long-lived process that has imported the heavy libraries once and forks one fresh,
    self-confining child per run (see `fastlings.grade_worker.serve`). One per parallel slot."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="fastlings-forkserver-"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fastlings.grade_worker", "--serve", str(theirs.fileno())],
            cwd=self.home,
            env=child_env(self.home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        self.sock = ours
        self.buffer = b""
        ready = self._message(timeout=120)
        if not ready or not ready.get("ready"):
            self.close()
            raise RuntimeError("the grading fork server did not start")

    def _message(self, timeout: float | None) -> dict[str, Any] | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        message = json.loads(line)
        return message if isinstance(message, dict) else None

    def spawn(self, request: dict[str, Any], write_fd: int, log_fd: int) -> int:
        data = json.dumps(request).encode() + b"\n"
        socket.send_fds(self.sock, [data], [write_fd, log_fd])
        reply = self._message(timeout=60)
        if not reply or "pid" not in reply:
            raise RuntimeError("the grading fork server did not answer")
        return int(reply["pid"])

    def status(self, timeout: float) -> int | None:
        reply = self._message(timeout=timeout)
        return None if reply is None else int(reply["status"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        _remove(self.home)


def run_worker(
    workdir: Path,
    files: dict[str, str],
    pytest_args: Sequence[str],
    *,
    limits: Limits,
    exercises: int,
    db_url: str | None = None,
    server: ForkServer | None = None,
) -> WorkerRun:
    """Run `fastlings.grade_worker` with `pytest_args` in `workdir` and read its results.

    `files` maps every file of the working copy to its sha256: the worker refuses to run the
    checks if the folder holds anything else, or anything different, when collection ends.
    With a `server`, the child is forked from it instead of started from scratch."""
    run = WorkerRun()
    key = secrets.token_bytes(32)
    read_fd, write_fd = os.pipe()
    scratch = Path(tempfile.mkdtemp(prefix="fastlings-scratch-"))
    args = list(pytest_args)
    if db_url:
        args.append(f"--db-url={db_url}")
    config = {
        "fd": write_fd,
        "key": key.hex(),
        "args": args,
        "private_network": _is_root() and db_url is None,
        "files": files,
        "limits": {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.wall(exercises)) + 5,
            "fsize_mb": limits.fsize_mb,
            "nproc": limits.nproc,
        },
    }
    started = time.monotonic()
    deadline = started + limits.wall(exercises)
    with tempfile.TemporaryFile() as log:
        if server is not None:
            request = {"workdir": str(workdir), "scratch": str(scratch), "config": config}
            pid = server.spawn(request, write_fd, log.fileno())
            os.close(write_fd)
            _read_channel(run, pid, lambda: False, read_fd, key, deadline)
            os.close(read_fd)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            run.returncode = server.status(timeout=30)
        else:
            proc = subprocess.Popen(
                [sys.executable, "-m", "fastlings.grade_worker"],
                cwd=workdir,
                env=child_env(scratch),
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
            os.close(write_fd)
            with contextlib.suppress(BrokenPipeError):
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(config).encode())
                proc.stdin.close()
            _read_channel(run, proc.pid, lambda: proc.poll() is not None, read_fd, key, deadline)
            os.close(read_fd)
            # The session ended (or the budget is spent): nothing of the child may live on.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            try:
                run.returncode = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                run.returncode = proc.wait()
        log.seek(0)
        run.log = log.read()[-4000:].decode(errors="replace")
    run.seconds = time.monotonic() - started
    _remove(scratch)
    return run


def _read_channel(
    run: WorkerRun, pid: int, exited: Callable[[], bool], fd: int, key: bytes, deadline: float
) -> None:
    buffer = b""
    expected_seq = 1
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.timed_out = True
            return
        ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
        if not ready:
            if exited() and not _has_data(fd):
                return  # exited; every writer may not be gone (forks), but the child is
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return  # every writer closed the pipe
        buffer += chunk
        if len(buffer) > 64 * MiB:
            run.tampered = "the checks process flooded the result channel"
            return
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            message = _verify_line(line, key)
            if message is None:
                run.tampered = "an unsigned or altered line reached the result channel"
                return
            if message.get("pid") != pid:
                run.tampered = (
                    "a process other than the checks process (a fork?) wrote to the result channel"
                )
                return
            if message.get("seq") != expected_seq:
                run.tampered = "result lines arrived out of order or were replayed"
                return
            expected_seq += 1
            kind = message.get("type")
            if kind == "sandbox":
                run.sandbox = str(message.get("description"))
            elif kind == "collected":
                run.collected = [str(n) for n in message.get("nodeids", [])]
            elif kind == "record":
                run.records.append(dict(message["record"]))
            elif kind == "tampered":
                run.tampered = f"the check machinery was tampered with: {message.get('reason')}"
                return
            elif kind == "finish":
                if message.get("records") != len(run.records):
                    run.tampered = "the record count at the end does not match what arrived"
                    return
                run.finished = True
                run.exitstatus = int(message.get("exitstatus", -1))
                return


def _has_data(fd: int) -> bool:
    ready, _, _ = select.select([fd], [], [], 0)
    return bool(ready)


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
