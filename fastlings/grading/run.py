"""One run of the grading child: start it (in its sandbox), feed it, read it, end it.

What comes back (`WorkerRun`) is built only from the pipe's signed lines
(`fastlings.grading.channel`) and the exit status the grader's own `wait` sees; the child's
output is kept for diagnostics only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from fastlings.grading.channel import WorkerRun, read_channel
from fastlings.grading.models import Limits
from fastlings.grading.sandbox import (
    bwrap_command,
    child_command,
    child_env,
    seccomp_pipe,
    tooling_folder,
)


def run_worker(
    files: dict[str, bytes],
    pytest_args: Sequence[str],
    *,
    limits: Limits,
    exercises: int,
    db_server: str | None = None,
    sandboxed: bool = True,
    deadline: float | None = None,
) -> WorkerRun:
    """Run `fastlings.grading.child` with `pytest_args` on a working copy of `files`.

    `deadline` (time.monotonic) ends the run earlier than its own wall-clock limit: the
    learner's total budget."""
    run = WorkerRun()
    key = secrets.token_bytes(32)
    read_fd, write_fd = os.pipe()
    args = list(pytest_args)  # (the database server, if any, is in them)
    config = {
        "fd": write_fd,
        "key": key.hex(),
        "args": args,
        "shared_network": db_server is not None,
        "files": {rel: base64.b64encode(data).decode() for rel, data in files.items()},
        "sandbox": "bubblewrap" if sandboxed else "NO SANDBOX (--unsafe-no-sandbox)",
        "sandboxed": sandboxed,
        "limits": {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.wall(exercises)) + 5,
            "fsize_mb": limits.fsize_mb,
            "nproc": limits.nproc,
        },
    }
    started = time.monotonic()
    own_deadline = started + limits.wall(exercises)
    end = own_deadline if deadline is None else min(own_deadline, deadline)
    run.budget = max(0.0, end - started)
    scratch = None if sandboxed else tempfile.mkdtemp(prefix="fastlings-unsafe-")
    seccomp: int | None = None
    if sandboxed:
        seccomp = seccomp_pipe()
        command = bwrap_command(
            limits,
            shared_network=db_server is not None,
            command=child_command(),
            seccomp_fd=seccomp,
        )
        cwd, env = "/", {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}  # bwrap's own, seen at /proc/1
    else:
        command, cwd = child_command(), str(scratch)
        env = child_env(str(scratch), str(Path(tooling_folder()).parent))
    try:
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                pass_fds=(write_fd,) if seccomp is None else (write_fd, seccomp),
            )  # fmt: skip
            os.close(write_fd)
            if seccomp is not None:
                os.close(seccomp)
                seccomp = None
            with contextlib.suppress(BrokenPipeError):
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(config).encode())
                proc.stdin.close()
            read_channel(run, lambda: proc.poll() is not None, read_fd, key, end)
            if run.timed_out and deadline is not None and deadline < own_deadline:
                run.budget_spent = time.monotonic() >= deadline
            if not run.finished and not run.timed_out:  # let it say how it ended (SIGSYS...)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=3)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                proc.kill()
            try:
                run.returncode = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                run.returncode = None
            log.seek(0)
            run.log = log.read()[-4000:].decode(errors="replace")
    finally:
        os.close(read_fd)
        if seccomp is not None:
            os.close(seccomp)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    run.seconds = time.monotonic() - started
    return run
