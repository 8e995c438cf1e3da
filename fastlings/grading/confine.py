"""The grading child's confinement: resource limits and the seccomp filter.

The seccomp program (x86_64 and aarch64 Linux, `sandbox_filter`) kills the child (SIGSYS) on
fork, vfork, ptrace, process_vm_readv/writev and every clone that is not a thread, so a fork
bomb, `subprocess` or `multiprocessing` cannot start anything and the attempt is visible; and it
lets every signal-sending syscall (kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
pidfd_send_signal) reach only the child itself. In the sandbox, bubblewrap loads it
(`--seccomp`), no_new_privs is set and the capabilities are gone, so the child needs no ctypes:
`_ctypes` is not even loadable there (ctypes calls raise no audit event). The child then applies
the resource limits (`apply`): address space, CPU seconds, file size, no core dumps.

Only with `--unsafe-no-sandbox` does the child install the filter itself (then exec is killed
too) and drop capabilities, through ctypes; where seccomp is unavailable, a Python-level guard
stops the Python ways to start a process.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import struct
from dataclasses import dataclass
from typing import Any, NoReturn

MiB = 1024 * 1024
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
# Per architecture: the signal syscalls whose first argument is a process (kill, tgkill,
# rt_sigqueueinfo, rt_tgsigqueueinfo) may only name this process (or its own group); those
# that name a thread id or a pidfd (tkill, pidfd_send_signal) answer EPERM. The sandbox's pid
# namespace already hides every other process: this is the second wall.
SIGNALS = {
    "x86_64": ((62, 234, 129, 297), (200, 424)),
    "aarch64": ((129, 131, 138, 240), (130, 424)),
}
EPERM = 1


@dataclass
class Confinement:
    no_fork: str = "none"  # "seccomp", or the fallbacks that applied
    capabilities: str = "kept"  # or "dropped"

    def describe(self) -> str:
        return f"processes and signals: {self.no_fork}; capabilities: {self.capabilities}"


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


# exec is allowed in the sandbox's filter: bubblewrap loads it just before it execs the child.
# An exec'd program keeps the filter, the namespaces and the pid, but not the key.
EXEC = {"x86_64": (59, 322), "aarch64": (221, 281)}
SANDBOX_PID = 2  # the child's pid in its pid namespace (bubblewrap's reaper is 1)


def sandbox_filter(pid: int = SANDBOX_PID) -> bytes | None:
    """The seccomp program bubblewrap loads for the child; None off x86_64/aarch64."""
    machine = platform.machine()
    arch = ARCHES.get(machine)
    if arch is None:
        return None
    arch_id, killed, clone, clone3 = arch
    kept = tuple(n for n in killed if n not in EXEC[machine])
    return _filter(arch_id, kept, clone, clone3, SIGNALS[machine], pid)


def forbid_new_processes() -> bool:
    """Install the no-fork seccomp filter; False where it cannot be installed."""
    arch = ARCHES.get(platform.machine())
    if arch is None:
        return False
    arch_id, killed, clone, clone3 = arch
    signals = SIGNALS.get(platform.machine(), ((), ()))
    program = _filter(arch_id, killed, clone, clone3, signals, os.getpid())
    import ctypes

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


PR_CAPBSET_DROP = 24
PR_SET_DUMPABLE = 4
CAP_VERSION_3 = 0x20080522


def drop_capabilities() -> bool:
    """Give up every capability, now and for any exec (bounding set): uid 0 without
    capabilities cannot read or write other processes' memory (the grader is not dumpable) or
    override file permissions it does not own."""
    if os.geteuid() != 0:
        return False
    import ctypes

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
    import ctypes

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
    *, memory_mb: int, cpu_seconds: int, fsize_mb: int, nproc: int, sandboxed: bool
) -> Confinement:
    done = Confinement()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MiB, memory_mb * MiB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_mb * MiB, fsize_mb * MiB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    if sandboxed:  # bubblewrap loaded the filter and left no capability
        done.no_fork = "seccomp (loaded by bubblewrap)"
        done.capabilities = "none (bubblewrap)"
        return done
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
