"""Confinement the grading child applies to itself before any learner code runs.

Applied by `fastlings.grade_worker` first thing (not in a `preexec_fn`, which is unsafe in the
multi-threaded grader):
  - resource limits: address space, CPU seconds, file size, no core dumps;
  - no new processes: a seccomp filter (x86_64 and aarch64 Linux) kills the child (SIGSYS) on
    fork, vfork and every clone that is not a thread, so a fork bomb, `subprocess` or
    `multiprocessing` cannot start anything, and the attempt is visible; threads still work.
    Where seccomp is unavailable, RLIMIT_NPROC caps the processes instead, for a non-root
    user only (Linux never applies RLIMIT_NPROC to uid 0);
  - no capabilities (when root): the bounding, permitted and effective sets are emptied;
  - no exec, no ptrace, no access to other processes' memory, no signals to other processes
    (seccomp, same filter);
  - no network: when running as root and no database server is needed, a private network
    namespace (only its own loopback, brought up for servers the checks start). Otherwise the
    grader's dead proxies (loopback exempt) and the worker's socket guard apply (best effort).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import struct
from dataclasses import dataclass
from typing import Any, NoReturn

MiB = 1024 * 1024
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
ENOSYS = 38

# Per architecture: the audit arch id, the syscalls that kill the child (process creation,
# exec, reading or writing another process's memory), and clone and clone3.
ARCHES = {
    "x86_64": (0xC000003E, (57, 58, 59, 322, 101, 310, 311), 56, 435),
    "aarch64": (0xC00000B7, (221, 281, 117, 270, 271), 220, 435),
}
# Per architecture: (kill, tgkill) may only signal this process; (tkill, pidfd_send_signal)
# answer EPERM. Without this, uid 0 without capabilities could still signal every process of
# uid 0 (kill(-1, SIGKILL)): the grader, the fork server, the rest of the machine.
SIGNALS = {
    "x86_64": ((62, 234), (200, 424)),
    "aarch64": ((129, 131), (130, 424)),
}
EPERM = 1


@dataclass
class Confinement:
    no_fork: str = "none"  # "seccomp", or the fallbacks that applied
    network: str = "socket guard"  # or "private namespace"
    capabilities: str = "kept"  # or "dropped"

    def describe(self) -> str:
        return (
            f"processes: {self.no_fork}; network: {self.network}; capabilities: {self.capabilities}"
        )


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _filter(
    arch: int,
    killed: tuple[int, ...],
    clone: int,
    clone3: int,
    signals: tuple[tuple[int, ...], tuple[int, ...]] = ((), ()),
    pid: int = 0,
) -> bytes:
    """A seccomp program: foreign ABIs and `killed` syscalls kill the process; clone3 answers
    ENOSYS (so libc falls back to clone); clone is allowed only for threads; the signal
    syscalls in `signals` may only target `pid` itself (or its own process group)."""
    ld_w_abs, jeq_k, jge_k, jset_k, ret_k = 0x20, 0x15, 0x35, 0x45, 0x06
    head: list[tuple[Any, Any, Any, int]] = [(ld_w_abs, 0, 0, 4)]
    head += [("jeq", "next", "KILL", arch), (ld_w_abs, 0, 0, 0)]
    head.append(("jge", "KILL", "next", 0x40000000))  # x32 ABI syscall numbers
    head += [("jeq", "KILL", "next", number) for number in killed]
    head += [("jeq", "ENOSYS", "next", clone3), ("jeq", "CLONE", "next", clone)]
    own, refused = signals
    head += [("jeq", "SIGNAL", "next", number) for number in own]
    head += [("jeq", "EPERM", "next", number) for number in refused]
    head.append((ret_k, 0, 0, SECCOMP_RET_ALLOW))
    labels: dict[str, int] = {"SIGNAL": len(head)}
    head += [(ld_w_abs, 0, 0, 16)]  # A = low 32 bits of the target pid
    for target in (pid, 0, (-pid) & 0xFFFFFFFF):
        head.append(("jeq", "ALLOW", "next", target))
    labels["EPERM"] = len(head)
    head.append((ret_k, 0, 0, SECCOMP_RET_ERRNO | EPERM))
    labels["CLONE"] = len(head)
    head += [(ld_w_abs, 0, 0, 16), ("jset", "ALLOW", "KILL", CLONE_THREAD)]
    labels["KILL"] = len(head)
    head.append((ret_k, 0, 0, SECCOMP_RET_KILL_PROCESS))
    labels["ENOSYS"] = len(head)
    head.append((ret_k, 0, 0, SECCOMP_RET_ERRNO | ENOSYS))
    labels["ALLOW"] = len(head)
    head.append((ret_k, 0, 0, SECCOMP_RET_ALLOW))
    codes = {"jeq": jeq_k, "jge": jge_k, "jset": jset_k}
    program = []
    for index, (op, jt, jf, k) in enumerate(head):
        if isinstance(op, str):

            def offset(label: object, index: int = index) -> int:
                return 0 if label == "next" else labels[str(label)] - index - 1

            program.append(_bpf(codes[op], offset(jt), offset(jf), k))
        else:
            program.append(_bpf(op, int(jt), int(jf), k))
    return b"".join(program)


def forbid_new_processes() -> bool:
    """Install the no-fork seccomp filter; False where it cannot be installed."""
    arch = ARCHES.get(platform.machine())
    if arch is None:
        return False
    arch_id, killed, clone, clone3 = arch
    signals = SIGNALS.get(platform.machine(), ((), ()))
    program = _filter(arch_id, killed, clone, clone3, signals, os.getpid())
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))

    prog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    return bool(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0)


def private_network() -> bool:
    """A network namespace of our own, with its loopback up: checks may run servers on
    127.0.0.1 (chapter 8 does), but nothing outside the namespace is reachable."""
    if os.geteuid() != 0:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) != 0:
            return False
    except (OSError, AttributeError):
        return False
    return _loopback_up()


SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


def _loopback_up() -> bool:
    import fcntl
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sh", b"lo", 0)
            flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))
    except OSError:
        return False
    return True


PR_CAPBSET_DROP = 24
PR_SET_DUMPABLE = 4
CAP_VERSION_3 = 0x20080522


def drop_capabilities() -> bool:
    """Give up every capability, now and for any exec (bounding set): uid 0 without
    capabilities cannot read or write other processes' memory (the grader is not dumpable) or
    override file permissions it does not own."""
    if os.geteuid() != 0:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability

    class Header(ctypes.Structure):
        _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))

    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all empty
    return bool(libc.capset(ctypes.byref(Header(CAP_VERSION_3, 0)), data) == 0)


def not_dumpable() -> None:
    """Keep other processes of the same uid out of this one (ptrace, /proc/<pid>/mem)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def forbid_in_python() -> None:
    """Where seccomp is unavailable: the Python ways to start a process stop this one with
    SIGSYS, as the seccomp filter would (best effort: ctypes can still reach libc)."""
    import _posixsubprocess
    import signal

    def stop(*args: object, **kwargs: object) -> NoReturn:
        os.kill(os.getpid(), signal.SIGSYS)
        raise SystemExit(1)  # pragma: no cover - the signal ends the process first

    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "execv", "execve", "execvp"):
        if hasattr(os, name):
            setattr(os, name, stop)
    _posixsubprocess.fork_exec = stop


def _tasks_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as f:
                status = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count


def apply(
    *, memory_mb: int, cpu_seconds: int, fsize_mb: int, nproc: int, isolate_network: bool
) -> Confinement:
    done = Confinement()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MiB, memory_mb * MiB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_mb * MiB, fsize_mb * MiB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    if isolate_network and private_network():
        done.network = "private namespace"
    if drop_capabilities():
        done.capabilities = "dropped"
    if forbid_new_processes():
        done.no_fork = "seccomp"
    else:
        forbid_in_python()
        done.no_fork = "python-level guard"
        if os.geteuid() != 0:
            # RLIMIT_NPROC counts every task of the uid: allow what already runs, plus `nproc`.
            limit = _tasks_of(os.getuid()) + nproc
            resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
            done.no_fork = "python-level guard and RLIMIT_NPROC"
    return done
