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

One run of the child in such a sandbox is `fastlings.grading.run.run_worker`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from fastlings.grading.confine import sandbox_filter
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


def tooling_folder() -> str:
    return str(Path(__file__).resolve().parents[1])  # the `fastlings` package folder


def _hidden_files() -> list[str]:
    """Extension modules the child must not load: `_ctypes` (raw memory with no audit event)."""
    import importlib.util

    hidden = []
    for name in ("_ctypes", "_ctypes_test"):
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and os.path.isfile(spec.origin):
                hidden.append(os.path.realpath(spec.origin))
    return hidden


def bwrap_command(
    limits: Limits, *, shared_network: bool, command: Sequence[str], seccomp_fd: int | None
) -> list[str]:
    """The full command line: staging (as root), setpriv, bubblewrap, then `command`."""
    root = _is_root()
    sources = [*_python_folders(), tooling_folder()]
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
    for path in _hidden_files():
        binds += ["--ro-bind", "/dev/null", path]
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
        "--proc", "/proc",
        "--dev", "/dev",
        # The private /tmp and /dev/shm first, the read-only Python and tooling after: bwrap
        # mounts in order, so a virtual environment or checkout under /tmp stays visible.
        "--size", str(limits.tmp_mb * MiB), "--tmpfs", "/tmp",  # noqa: S108 - private tmpfs
        "--size", str(limits.shm_mb * MiB), "--tmpfs", "/dev/shm",  # noqa: S108
        *binds,
        "--size", str(limits.tmp_mb * MiB), "--tmpfs", WORKDIR,
        "--chdir", WORKDIR,
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
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


def seccomp_pipe() -> int | None:
    """A pipe holding the child's seccomp program, for bubblewrap's `--seccomp` (read end)."""
    program = sandbox_filter()
    if program is None:
        return None
    read_fd, write_fd = os.pipe()
    os.write(write_fd, program)  # a few hundred bytes: far below the pipe's buffer
    os.close(write_fd)
    return read_fd


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
    seccomp = seccomp_pipe()
    try:
        done = subprocess.run(
            bwrap_command(limits, shared_network=False, command=probe, seccomp_fd=seccomp),
            capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
            pass_fds=() if seccomp is None else (seccomp,),
        )  # fmt: skip
    finally:
        if seccomp is not None:
            os.close(seccomp)
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
