"""One run of the grading child, in its own bubblewrap sandbox.

Each run (one learner, or one exercise of a learner re-run alone) gets a fresh sandbox and a
fresh interpreter; nothing is shared between runs or learners. What the child sees:
  - read-only: /usr (and the /bin, /lib... links), a few /etc files (ld.so.cache, localtime,
    hosts, nsswitch.conf, passwd, group), the Python installation and environment, and the
    grading tooling (at /opt/fastlings);
  - its working copy at /course, a private tmpfs the child fills from its stdin (the
    instructor's checks and manifest, the learner's exercise files): size-limited, gone with
    the sandbox, so nothing is left on disk even if the grader is killed;
  - a private, size-limited /tmp and /dev/shm; a new /proc of its own pid namespace; a
    minimal /dev;
  - new user, pid, network (loopback only, unless a database server is needed), ipc, uts and
    cgroup namespaces; no further user namespaces; `--die-with-parent`, `--new-session`.
Nothing of the course folder, the submissions, the out folder, /root, /home or the host's
/proc is visible. As root, the grader stages the Python installation on a private mount
namespace (`unshare`), then starts bubblewrap as an unprivileged user with `setpriv`: run by
root, bubblewrap's user namespace would map the sandbox back to root outside.

What comes back (`WorkerRun`) is built only from the pipe's signed lines
(`fastlings.grading.channel`) and the exit status the grader's own `wait` sees.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from fastlings.grading.channel import WorkerRun, read_channel
from fastlings.grading.models import Limits

MiB = 1024 * 1024
DEAD_PROXY = "http://127.0.0.1:9"
SANDBOX_UID = 65534  # nobody
WORKDIR = "/course"
TOOLING = "/opt/fastlings"
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "hosts", "nsswitch.conf",
             "passwd", "group", "host.conf", "gai.conf")  # fmt: skip
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install "
    "bubblewrap`) and util-linux (`setpriv`, `unshare`), on Linux. To grade code you trust "
    "without a sandbox, pass --unsafe-no-sandbox."
)
# As root: a private mount namespace with a tmpfs on /mnt, and each staged folder bound
# read-only at /mnt/<n>, then `exec` the rest of the arguments.
STAGE = (
    "mount -t tmpfs -o size=1m,mode=0755 fastlings-stage /mnt || exit 125; i=0; "
    'while [ "$1" != "--" ]; do mkdir "/mnt/$i" && mount --rbind "$1" "/mnt/$i" && '
    'mount -o remount,bind,ro "/mnt/$i" || exit 125; i=$((i+1)); shift; done; shift; exec "$@"'
)


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot be used here: grading untrusted code refuses to run."""


def _is_root() -> bool:
    return os.geteuid() == 0


def child_env(home: str, pythonpath: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONPATH": pythonpath,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONNOUSERSITE": "1",
        "NO_COLOR": "1",
    }
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        env[name] = DEAD_PROXY
    env["NO_PROXY"] = env["no_proxy"] = "localhost,127.0.0.1,::1"
    return env


def _python_folders() -> list[str]:
    """The folders the interpreter and its environment live in."""
    folders: list[str] = []
    for path in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))):
        real = os.path.realpath(path)
        if not any(real == f or real.startswith(f + "/") for f in folders):
            folders.append(real)
    return folders


def _tooling() -> str:
    return str(Path(__file__).resolve().parents[1])  # the `fastlings` package folder


def bwrap_command(limits: Limits, *, shared_network: bool, command: Sequence[str]) -> list[str]:
    """The full command line: staging (as root), setpriv, bubblewrap, then `command`."""
    root = _is_root()
    sources = [*_python_folders(), _tooling()]
    targets = [*_python_folders(), f"{TOOLING}/fastlings"]
    binds: list[str] = []
    for index, target in enumerate(targets):
        binds += ["--ro-bind", f"/mnt/{index}" if root else sources[index], target]
    system: list[str] = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            system += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            system += ["--ro-bind", path, path]
    for name in ETC_FILES:
        system += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    env = child_env("/tmp", TOOLING)  # noqa: S108 - the sandbox's own tmpfs
    bwrap = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        *(["--share-net"] if shared_network else []),
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--hostname", "fastlings-sandbox",
        "--clearenv",
        *system,
        *binds,
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/tmp",  # noqa: S108 - private tmpfs
        "--size", str(limits.shm_mb * MiB), "--tmpfs", "/dev/shm",  # noqa: S108
        "--size", str(limits.tmp_mb * MiB), "--tmpfs", WORKDIR,
        "--chdir", WORKDIR,
    ]  # fmt: skip
    for name, value in env.items():
        bwrap += ["--setenv", name, value]
    bwrap += ["--", *command]
    if not root:
        return bwrap
    setpriv = [
        shutil.which("setpriv") or "setpriv",
        "--reuid", str(SANDBOX_UID), "--regid", str(SANDBOX_UID), "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
    ]  # fmt: skip
    unshare = [shutil.which("unshare") or "unshare", "--mount", "--propagation", "private"]
    return [*unshare, "--", "sh", "-c", STAGE, "stage", *sources, "--", *setpriv, *bwrap]


def child_command() -> list[str]:
    return [sys.executable, "-P", "-m", "fastlings.grading.child"]


def check_available(limits: Limits) -> str:
    """A description of the sandbox, after one probe run; SandboxUnavailable says why not."""
    if platform.system() != "Linux":
        raise SandboxUnavailable(
            f"the grading sandbox needs Linux (this is {platform.system()}): {INSTALL_HINT}"
        )
    needed = ["bwrap"] + (["setpriv", "unshare", "mount"] if _is_root() else [])
    missing = [name for name in needed if shutil.which(name) is None]
    if missing:
        raise SandboxUnavailable(f"{', '.join(missing)} not found: {INSTALL_HINT}")
    probe = [sys.executable, "-P", "-c", "import os, fastlings; print(os.getuid())"]
    done = subprocess.run(
        bwrap_command(limits, shared_network=False, command=probe),
        capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if done.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap could not start the grading sandbox ({done.stderr.strip()[-400:]}): "
            "user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, or "
            f"Ubuntu's kernel.apparmor_restrict_unprivileged_userns). {INSTALL_HINT}"
        )
    who = f"uid {done.stdout.strip()}" + (" via setpriv" if _is_root() else "")
    return (
        f"bubblewrap sandbox per run ({who}; read-only system and Python; private tmpfs "
        "working copy, /tmp and /dev/shm; new user, pid, net, ipc, uts namespaces)"
    )


def run_worker(
    files: dict[str, bytes],
    pytest_args: Sequence[str],
    *,
    limits: Limits,
    exercises: int,
    db_url: str | None = None,
    sandboxed: bool = True,
    deadline: float | None = None,
) -> WorkerRun:
    """Run `fastlings.grading.child` with `pytest_args` on a working copy of `files`.

    `deadline` (time.monotonic) ends the run earlier than its own wall-clock limit: the
    learner's total budget."""
    run = WorkerRun()
    key = secrets.token_bytes(32)
    read_fd, write_fd = os.pipe()
    args = list(pytest_args) + ([f"--db-url={db_url}"] if db_url else [])
    config = {
        "fd": write_fd,
        "key": key.hex(),
        "args": args,
        "shared_network": db_url is not None,
        "files": {rel: base64.b64encode(data).decode() for rel, data in files.items()},
        "sandbox": "bubblewrap" if sandboxed else "NO SANDBOX (--unsafe-no-sandbox)",
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
    if sandboxed:
        command = bwrap_command(limits, shared_network=db_url is not None, command=child_command())
        cwd, env = "/", {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}  # bwrap's own, seen at /proc/1
    else:
        command, cwd = child_command(), str(scratch)
        env = child_env(str(scratch), str(Path(_tooling()).parent))
    try:
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT, pass_fds=(write_fd,), start_new_session=True,
            )  # fmt: skip
            os.close(write_fd)
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
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    run.seconds = time.monotonic() - started
    return run
