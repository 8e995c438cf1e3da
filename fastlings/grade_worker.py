"""The child side of `grade-class`: run pytest on a working copy and stream results to the grader.

Started by `fastlings.sandbox` as `python -m fastlings.grade_worker`. Its configuration (the
result pipe's fd, an HMAC key, the pytest arguments) arrives on stdin, never in the environment
or the command line, and stdin is closed before any learner code runs. Each result travels as one
line on the pipe: JSON, then a tab, then an HMAC of the line with the key; every line carries a
sequence number and the worker's pid, so lines written by a forked or foreign process, replayed or
out of order, are rejected by the grader.

Before sending each record and at the end of the session the worker checks that the machinery
that produces results (pytest's runner, reports, hooks and plugins; the course plugin; the
libraries the checks observe through) is still the code it snapshotted before the first check
ran. Learner code is only imported inside a check (the `module` fixture), so the snapshot taken at
collection time is pristine. A change is reported as tampering and the grader discards the run.

This is a best-effort defence: code running in the same interpreter can, with enough effort,
find the key and the pipe in memory. The grader's other defences (its own working copy, the
expected check list, pid and sequence checks, process isolation, limits) do not rely on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import socket
import sys
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

from fastlings import confine
from fastlings.plugin.reporting import ResultCollector
from fastlings.run.record import CheckResult

# Local references, taken before any learner code can replace the module attributes.
_write = os.write
_dumps = json.dumps
_hmac_new = hmac.new
_sha256 = hashlib.sha256
_getpid = os.getpid

# Modules whose functions and classes produce or observe results. Only those already imported
# when the snapshot is taken are watched.
WATCHED_MODULES = (
    "builtins",
    "socket",
    "json",
    "json.decoder",
    "pytest",
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.fixtures",
    "_pytest.outcomes",
    "_pytest.main",
    "_pytest.nodes",
    "_pytest.skipping",
    "_pytest.terminal",
    "_pytest.capture",
    "_pytest.assertion",
    "_pytest.assertion.rewrite",
    "_pytest.assertion.util",
    "_pytest.config",
    "pluggy",
    "pluggy._hooks",
    "pluggy._callers",
    "pluggy._manager",
    "pytest_timeout",
    "pytest_asyncio.plugin",
    "fastlings.plugin",
    "fastlings.course.loader",
    "fastlings.testing",
    "fastlings.grade_worker",
    "httpx",
    "httpx._models",
    "httpx._client",
    "httpx._transports.asgi",
)

_COLLECTOR = ResultCollector
_DESCRIPTORS = (FunctionType, property, classmethod, staticmethod, type)
# Module attributes pytest itself swaps around each check.
_VOLATILE = {
    "_pytest.assertion.util": {"_reprcompare", "_assertion_pass", "_config"},
}


def _watched_attrs(namespace: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        name: value
        for name, value in namespace.items()
        if name not in skip and (isinstance(value, _DESCRIPTORS) or callable(value))
    }


class Integrity:
    """A snapshot of the result machinery, compared by identity later."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.modules: dict[str, ModuleType] = {}
        self.namespaces: list[tuple[str, Any, dict[str, Any], frozenset[str]]] = []
        self.hooks: dict[str, list[tuple[object, object]]] = {}
        self.plugins: set[int] = set()
        self._plugin_refs: list[object] = []

    def take(self) -> None:
        for name in WATCHED_MODULES:
            module = sys.modules.get(name)
            if module is None:
                continue
            self.modules[name] = module
            skip = frozenset(_VOLATILE.get(name, ()))
            self.namespaces.append((name, module, _watched_attrs(vars(module), skip), skip))
            for attr, value in list(vars(module).items()):
                if isinstance(value, type) and value.__module__ == name:
                    self.namespaces.append(
                        (f"{name}.{attr}", value, _watched_attrs(dict(vars(value))), frozenset())
                    )
        self.hooks = self._hooks()
        self._plugin_refs = list(self.config.pluginmanager.get_plugins())
        self.plugins = {id(p) for p in self._plugin_refs}
        # The course plugin's collector is data, not code: its state is watched too.
        self.collector = self.config.pluginmanager.get_plugin("fastlings-results")
        self.collector_state = dict(vars(self.collector)) if self.collector is not None else {}

    def _hooks(self) -> dict[str, list[tuple[object, object]]]:
        hooks: dict[str, list[tuple[object, object]]] = {}
        for name, caller in vars(self.config.pluginmanager.hook).items():
            get = getattr(caller, "get_hookimpls", None)
            if get is None:
                continue
            hooks[name] = [(impl.plugin, impl.function) for impl in get()]
        return hooks

    def broken(self) -> str | None:
        """What was replaced, or None when the machinery is intact."""
        if sys.gettrace() is not None or sys.getprofile() is not None:
            return "a trace or profile function was installed (sys.settrace/setprofile)"
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                return f"sys.modules[{name!r}] was replaced"
        for where, container, attrs, skip in self.namespaces:
            now = _watched_attrs(dict(vars(container)), skip)
            for attr, value in attrs.items():
                if now.get(attr) is not value:
                    return f"{where}.{attr} was replaced"
            added = set(now) - set(attrs)
            if added and isinstance(container, type):
                return f"{where} gained {', '.join(sorted(added))}"
        if self.collector is not None:
            state = vars(self.collector)
            if set(state) != set(self.collector_state) or any(
                state[k] is not v for k, v in self.collector_state.items()
            ):
                return "the result collector's state was replaced"
            if type(state["results"]) is not list or type(self.collector) is not _COLLECTOR:
                return "the result collector was replaced"
        if {id(p) for p in self.config.pluginmanager.get_plugins()} != self.plugins:
            return "a pytest plugin was registered or removed during the checks"
        hooks = self._hooks()
        for name, impls in self.hooks.items():
            now_impls = hooks.get(name, [])
            if len(now_impls) != len(impls) or any(
                a[0] is not b[0] or a[1] is not b[1] for a, b in zip(now_impls, impls, strict=True)
            ):
                return f"the pytest hook {name} was changed"
        return None


class Channel:
    """Signed, numbered lines on the result pipe."""

    def __init__(self, fd: int, key: bytes) -> None:
        self.fd = fd
        self.key = key
        self.seq = 0

    def send(self, kind: str, **fields: Any) -> None:
        self.seq += 1
        body = _dumps({"type": kind, "seq": self.seq, "pid": _getpid(), **fields})
        signature = _hmac_new(self.key, body.encode(), _sha256).hexdigest()
        data = f"{body}\t{signature}\n".encode()
        while data:
            written = _write(self.fd, data)
            data = data[written:]


class Streamer:
    """The worker's pytest plugin: sends the collector's records as they are made."""

    def __init__(self, channel: Channel, files: dict[str, str]) -> None:
        self.channel = channel
        self.files = files
        self.integrity: Integrity | None = None
        self.sent = 0
        self.tampered: str | None = None
        self.timed_out_files: set[str] = set()

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        problem = self._foreign_files(session.config)
        if problem:
            self.tampered = problem
            self.channel.send("tampered", reason=problem)
            session.shouldstop = problem
            return
        self.integrity = Integrity(session.config)
        self.integrity.take()
        self.channel.send("collected", nodeids=[item.nodeid for item in session.items])

    def _foreign_files(self, config: pytest.Config) -> str | None:
        """The working copy must hold exactly the files the grader wrote, and no conftest but
        the course's own may have been loaded."""
        root = Path(str(config.rootpath))
        found: dict[str, str] = {}
        for path in root.rglob("*"):
            if "__pycache__" in path.parts:
                continue
            if path.is_symlink() or (path.is_file() and not path.is_symlink()):
                rel = path.relative_to(root).as_posix()
                found[rel] = _sha256(path.read_bytes()).hexdigest() if path.is_file() else "link"
        if found != self.files:
            changed = sorted(set(found) ^ set(self.files)) or sorted(
                r for r in found if found[r] != self.files.get(r)
            )
            return f"the working copy was changed before the checks ran: {changed[:5]}"
        allowed = {(root / rel).resolve() for rel in self.files}
        for plugin in config.pluginmanager.get_plugins():
            origin = getattr(plugin, "__file__", None)
            name = getattr(plugin, "__name__", "")
            if origin and name.endswith("conftest") and Path(origin).resolve() not in allowed:
                return f"an unexpected conftest was loaded: {origin}"
        return None

    def _flush(self, config: pytest.Config) -> None:
        if self.tampered:
            return
        if self.integrity is not None:
            broken = self.integrity.broken()
            if broken:
                self.tampered = broken
                self.channel.send("tampered", reason=broken)
                return
        collector = self.integrity.collector if self.integrity else None
        results: list[CheckResult] = getattr(collector, "results", [])
        for result in results[self.sent :]:
            if result.timed_out:
                self.timed_out_files.add(result.file)
            self.channel.send("record", record=result.to_record())
        self.sent = len(results)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """After a check of an exercise timed out, its other checks fail at once: the same
        loop would stop each of them only at the timeout."""
        if item.location[0] in self.timed_out_files:
            pytest.fail("Not run: an earlier check of this exercise timed out.", pytrace=False)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._flush(self._config)

    @pytest.hookimpl(trylast=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.integrity is not None:  # collection errors before the snapshot are sent below
            self._flush(self._config)

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self._flush(session.config)
        if not self.tampered:
            self.channel.send("finish", exitstatus=int(exitstatus), records=self.sent)


# -- best-effort network guard ----------------------------------------------------------------
def _loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and the like
    host = str(address[0])
    return host in ("localhost", "::1") or host.startswith("127.")


def guard_sockets() -> None:
    """Refuse connections to anything but loopback (the database server) and Unix sockets."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def connect(self: socket.socket, address: Any) -> None:
        if not _loopback(address):
            raise PermissionError(f"network access is disabled while grading ({address!r})")
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _loopback(address):
            raise PermissionError(f"network access is disabled while grading ({address!r})")
        return original_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        if args and not _loopback(args[-1]):
            raise PermissionError("network access is disabled while grading")
        return original_sendto(self, data, *args)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]


def main(raw: bytes | None = None) -> int:
    raw = raw if raw is not None else sys.stdin.buffer.read()
    config = json.loads(raw)
    # stdin carried the key: close it and point fd 0 at /dev/null before learner code runs.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    channel = Channel(int(config["fd"]), bytes.fromhex(config["key"]))
    del config["key"], raw
    limits = config["limits"]
    confinement = confine.apply(
        memory_mb=int(limits["memory_mb"]),
        cpu_seconds=int(limits["cpu_seconds"]),
        fsize_mb=int(limits["fsize_mb"]),
        nproc=int(limits["nproc"]),
        isolate_network=bool(config.get("private_network")),
    )
    guard_sockets()
    channel.send("sandbox", description=confinement.describe())
    streamer = Streamer(channel, {str(k): str(v) for k, v in config["files"].items()})
    code = pytest.main(list(config["args"]), plugins=[streamer])
    return int(code)


if __name__ == "__main__" and sys.argv[1:2] != ["--serve"]:
    sys.exit(main())


# -- the fork server --------------------------------------------------------------------------
# Starting Python and importing pytest, FastAPI, SQLAlchemy and httpx costs most of a learner's
# run. A fork server (one per parallel slot) imports them once, then forks a fresh child per
# run; no learner code ever runs in the server itself, and each child confines itself (rlimits,
# seccomp, network) before it runs any. Requests come on a Unix socket with the result pipe and
# the log file as passed descriptors.
PRELOAD = (
    "asyncio",
    "sqlite3",
    "_pytest.pytester",
    "pytest_asyncio.plugin",
    "pytest_timeout",
    "fastlings.plugin",
    "fastlings.testing",
    "fastlings.plugin.databases",
    "fastapi",
    "fastapi.testclient",
    "starlette.testclient",
    "pydantic",
    "email_validator",
    "sqlalchemy",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "aiosqlite",
    "asyncpg",
    "httpx",
    "anyio",
    "multipart",
    "pwdlib",
    "jwt",
)


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _recv_line(sock: socket.socket) -> tuple[bytes, list[int]]:
    data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 4)
    while data and not data.endswith(b"\n"):
        more, extra, _, _ = socket.recv_fds(sock, 1 << 20, 4)
        if not more:
            break
        data += more
        fds += extra
    return data, fds


def serve(sock_fd: int) -> int:
    """The fork server's loop: one request line (+ 2 fds) in, a child's pid and status out."""
    confine.not_dumpable()
    _preload()
    sock = socket.socket(fileno=sock_fd)
    sock.sendall(b'{"ready": true}\n')
    while True:
        data, fds = _recv_line(sock)
        if not data:
            return 0
        request = json.loads(data)
        write_fd, log_fd = fds
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.setsid()
                sock.close()
                os.dup2(log_fd, 1)
                os.dup2(log_fd, 2)
                os.close(log_fd)
                workdir = str(request["workdir"])
                os.chdir(workdir)
                sys.path[0] = workdir
                os.environ["HOME"] = os.environ["TMPDIR"] = str(request["scratch"])
                import tempfile

                tempfile.tempdir = None
                config = dict(request["config"])
                config["fd"] = write_fd
                code = main(json.dumps(config).encode())
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(write_fd)
        os.close(log_fd)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        sock.sendall(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--serve":
    sys.exit(serve(int(sys.argv[2])))
