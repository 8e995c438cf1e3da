"""Confinement the grading child applies to itself before any learner code runs.

Applied by `fastlings.grade_worker` first thing (not in a `preexec_fn`, which is unsafe in the
multi-threaded grader):
  - resource limits: address space, CPU seconds, file size, no core dumps;
  - no new processes: a seccomp filter (x86_64 and aarch64 Linux) kills the child (SIGSYS) on
    fork, vfork and every clone that is not a thread, so a fork bomb, `subprocess` or
    `multiprocessing` cannot start anything, and the attempt is visible; threads still work.
    Where seccomp is unavailable, RLIMIT_NPROC caps the processes instead, for a non-root
    user only (Linux never applies RLIMIT_NPROC to uid 0);
  - no network: when running as root and no database server is needed, a private network
    namespace (only a loopback that is down). Otherwise the grader's dead proxies and the
    worker's socket guard apply (best effort).
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import struct
from dataclasses import dataclass

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

# arch id, syscall numbers: (fork, vfork, clone, clone3); -1 when the arch has no such call
ARCHES = {
    "x86_64": (0xC000003E, (57, 58, 56, 435)),
    "aarch64": (0xC00000B7, (-1, -1, 220, 435)),
}


@dataclass
class Confinement:
    no_fork: str = "none"  # "seccomp", "rlimit" or "none"
    network: str = "socket guard"  # or "private namespace"

    def describe(self) -> str:
        return f"processes: {self.no_fork}; network: {self.network}"


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _filter(arch: int, fork: int, vfork: int, clone: int, clone3: int) -> bytes:
    ld_w_abs, jeq_k, jge_k, jset_k, ret_k = 0x20, 0x15, 0x35, 0x45, 0x06
    # Starting a process kills the whole child (SIGSYS): the grader then sees the run end early
    # and zeroes the exercise with a reason, even if the code would catch an error and go on.
    deny = SECCOMP_RET_KILL_PROCESS
    program = [
        _bpf(ld_w_abs, 0, 0, 4),  # 0: A = the calling ABI
        _bpf(jeq_k, 1, 0, arch),  # 1: the native ABI? go on (3) : deny (2)
        _bpf(ret_k, 0, 0, deny),  # 2: no syscalls through a foreign ABI (int 0x80)
        _bpf(ld_w_abs, 0, 0, 0),  # 3: A = syscall number
        _bpf(jge_k, 7, 0, 0x40000000),  # 4: x32 ABI numbers -> deny (12)
        _bpf(jeq_k, 6, 0, fork & 0xFFFFFFFF),  # 5: fork -> deny (12)
        _bpf(jeq_k, 5, 0, vfork & 0xFFFFFFFF),  # 6: vfork -> deny (12)
        _bpf(jeq_k, 5, 0, clone3),  # 7: clone3 -> ENOSYS (13): libc falls back to clone
        _bpf(jeq_k, 1, 0, clone),  # 8: clone -> look at its flags (10)
        _bpf(ret_k, 0, 0, SECCOMP_RET_ALLOW),  # 9: any other syscall
        _bpf(ld_w_abs, 0, 0, 16),  # 10: A = low 32 bits of clone's flags
        _bpf(jset_k, 2, 0, CLONE_THREAD),  # 11: a thread -> allow (14)
        _bpf(ret_k, 0, 0, deny),  # 12
        _bpf(ret_k, 0, 0, SECCOMP_RET_ERRNO | ENOSYS),  # 13
        _bpf(ret_k, 0, 0, SECCOMP_RET_ALLOW),  # 14
    ]
    return b"".join(program)


def forbid_new_processes() -> bool:
    """Install the no-fork seccomp filter; False where it cannot be installed."""
    arch = ARCHES.get(platform.machine())
    if arch is None:
        return False
    arch_id, (fork, vfork, clone, clone3) = arch
    program = _filter(arch_id, fork, vfork, clone, clone3)
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
    if os.geteuid() != 0:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.unshare(CLONE_NEWNET) == 0)
    except (OSError, AttributeError):
        return False


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
    if forbid_new_processes():
        done.no_fork = "seccomp"
    elif os.geteuid() != 0:
        # RLIMIT_NPROC counts every task of the uid: allow what already runs, plus `nproc`.
        limit = _tasks_of(os.getuid()) + nproc
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
        done.no_fork = "rlimit"
    return done
