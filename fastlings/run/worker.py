"""The warm worker behind watch mode: `python -m fastlings.run.worker ROOT`.

It imports pytest, FastAPI, SQLAlchemy, httpx and the plugin once, then serves requests, one
JSON line each on stdin: `{"args": [...pytest arguments...], "hard_timeout": s,
"next_args": [...] | null}`, answering one JSON line on stdout: `{"status": "done" |
"timeout" | "crashed", "code": int | null}`. The results are in the report file named by the
`--fastlings-report` argument.

Every run happens in a fork of the warm process, so nothing the learner's code does survives
it, and a run that hangs past the hard timeout is killed (the worker itself never runs
learner code). To answer faster, the fork for the next run is made in advance: it has already
parsed the command line, loaded pytest's plugins and collected the checks, and waits for a
byte on a pipe to run them. It is used only while the checks files it read are unchanged
(the learner's module is imported by the checks themselves, fresh, after the go).
Where `os.fork` does not exist, runs happen in the worker itself, and the watch process
replaces a worker that does not answer in time.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import Any

WARM_MODULES = (
    "pytest",
    "_pytest.config",
    "pytest_asyncio",
    "pytest_timeout",
    "fastlings.plugin",
    "fastlings.testing",
    "fastapi",
    "fastapi.routing",
    "pydantic",
    "email_validator",
    "sqlalchemy",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "aiosqlite",
    "httpx",
    "anyio",
)
LEARNER_PACKAGES = ("exercises", "solutions", "checks")


def warm_up() -> None:
    import importlib

    for name in WARM_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


class ExitAfterReport:
    """In a forked run: leave as soon as the report is written (skips pytest's teardown)."""

    def __init__(self) -> None:
        import pytest

        @pytest.hookimpl(trylast=True)
        def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
            os._exit(int(exitstatus))

        self.pytest_sessionfinish = pytest_sessionfinish


def _plugins(forked: bool) -> list[object]:
    from fastlings.run.inprocess import StopOnTimeout

    plugins: list[object] = [StopOnTimeout()]
    if forked:
        plugins.append(ExitAfterReport())
    return plugins


class WaitForGo:
    """In a prepared run: configured and collected, wait for the go byte before running."""

    def __init__(self, go: int) -> None:
        import pytest

        @pytest.hookimpl(wrapper=True, tryfirst=True)
        def pytest_runtestloop(session: Any) -> Any:
            if not os.read(go, 1):  # the worker went away or discarded this run
                os._exit(0)
            return (yield)

        self.pytest_runtestloop = pytest_runtestloop


def signature(args: list[str]) -> list[tuple[str, str]]:
    """What a prepared run has already read: the checks files, their conftest.py files and
    the pytest configuration. A prepared run is used only while these are unchanged."""
    paths: list[Path] = []
    for arg in args:
        path = Path(arg)
        if arg.endswith((".py", ".toml")) and path.is_file():
            paths += [path, path.parent / "conftest.py", path.parent.parent / "conftest.py"]
    found = []
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError:
            continue
        found.append((str(path), hashlib.sha1(content, usedforsecurity=False).hexdigest()))
    return found


class Standby:
    """A forked child that has configured pytest for `args` and collected the checks, and
    waits for the signal to run them."""

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.signature = signature(args)
        read_end, self.go = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(self.go)
            _child(args, read_end)
        os.close(read_end)

    def alive(self) -> bool:
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        return pid == 0

    def start(self) -> bool:
        try:
            os.write(self.go, b"g")
        except OSError:
            return False
        finally:
            os.close(self.go)
        return True

    def wait(self, timeout: float) -> tuple[str, int | None]:
        status = _wait_for_exit(self.pid, timeout)
        if status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            return "timeout", None
        return "done", os.waitstatus_to_exitcode(status)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.go)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _wait_for_exit(pid: int, timeout: float) -> int | None:
    """The child's wait status, or None when it is still running after `timeout` seconds."""
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                ready, _, _ = select.select([fd], [], [], timeout)
            finally:
                os.close(fd)
            return os.waitpid(pid, 0)[1] if ready else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # without pidfd (macOS): poll the child every 5 ms
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.005)
    return None


def _child(args: list[str], go: int) -> None:
    """The forked run: configure pytest and collect, wait for the go byte, run, leave."""
    code = 3
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sys.stdout = sys.stderr = io.TextIOWrapper(io.FileIO(devnull, "w", closefd=False))
        from _pytest.config import _prepareconfig

        config = _prepareconfig(list(args), [*_plugins(forked=True), WaitForGo(go)])
        try:
            code = int(config.hook.pytest_cmdline_main(config=config))
        finally:
            config._ensure_unconfigure()
    except BaseException:
        code = 3
    os._exit(code)


def _run_here(args: list[str]) -> tuple[str, int | None]:
    """No fork on this platform: run in the worker itself, with a fresh import of learner code."""
    import pytest

    for name in [n for n in sys.modules if n.split(".")[0] in LEARNER_PACKAGES]:
        del sys.modules[name]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = pytest.main(list(args), plugins=_plugins(forked=False))
    return "done", int(code)


def serve(root: Path) -> None:
    os.chdir(root)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the watch process decides when we stop
    can_fork = hasattr(os, "fork")
    if not can_fork:
        os.environ["FASTLINGS_NO_GC_FREEZE"] = "1"
    warm_up()
    gc.collect()
    if can_fork:
        gc.freeze()  # forks share the warm heap copy-on-write
    protocol = sys.stdout
    sys.stdout = sys.stderr
    protocol.write(json.dumps({"status": "ready"}) + "\n")
    protocol.flush()
    standby: Standby | None = None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        args: list[str] = request["args"]
        hard = float(request.get("hard_timeout", 60))
        if not can_fork:
            status, code = _run_here(args)
        else:
            if standby is not None and (
                standby.args != args or standby.signature != signature(args) or not standby.alive()
            ):
                standby.discard()
                standby = None
            run = standby or Standby(args)
            standby = None
            if not run.start():  # it stopped before the go (a collection error): run afresh
                run.discard()
                run = Standby(args)
                run.start()
            status, code = run.wait(hard)
        protocol.write(json.dumps({"status": status, "code": code}) + "\n")
        protocol.flush()
        following = request.get("next_args")
        if can_fork and following:
            standby = Standby(list(following))
    if standby is not None:
        standby.discard()


def main() -> None:
    serve(Path(sys.argv[1]).resolve())


if __name__ == "__main__":
    main()
