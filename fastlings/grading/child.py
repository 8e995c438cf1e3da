"""What runs inside the sandbox: `python -P -m fastlings.grading.child`.

Its configuration (the working copy's files, the result pipe's fd, an HMAC key, the pytest
arguments, the limits) arrives on stdin, never in the environment or the command line, and
stdin is pointed at /dev/null before any learner code runs. The child then:
  1. writes the working copy into its current folder, the sandbox's own tmpfs;
  2. confines itself (`confine`: rlimits, seccomp, no capabilities);
  3. installs the audit hook (`audit`), which keeps the channel's sender in its closure;
  4. runs pytest with `Streamer`, which reports each result through the hook.
Learner code is only imported inside a check (the `module` fixture), after the integrity
snapshot is taken when collection ends.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sys
from pathlib import Path
from types import CodeType, FunctionType
from typing import Any

import pytest

from fastlings.grading import audit, confine
from fastlings.grading.channel import make_sender
from fastlings.grading.integrity import Integrity
from fastlings.run.record import NODEID, OUTCOME, CheckResult

_audit = sys.audit


class Streamer:
    """The child's pytest plugin: hands each report's records to the audit hook."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.sent = 0
        self.armed = False
        self.timed_out: set[str] = set()
        self._config: pytest.Config | None = None

    def _emit(self, kind: str, payload: Any) -> None:
        _audit(audit.EVENT, kind, payload)

    def _results(self) -> list[CheckResult]:
        assert self._config is not None
        collector = self._config.pluginmanager.get_plugin("fastlings-results")
        results: list[CheckResult] = getattr(collector, "results", [])
        new = results[self.sent :]
        self.sent = len(results)
        return new

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        problem = self._foreign_files(session.config)
        if problem:
            self._emit("tampered", problem)
            session.shouldstop = problem
            return
        for result in self._results():  # collection errors of the pristine checks
            self._emit("early", result.to_record())
        self.armed = True
        nodeids = [item.nodeid for item in session.items]
        self._emit("collected", {"config": session.config, "nodeids": nodeids})

    def _foreign_files(self, config: pytest.Config) -> str | None:
        """The working copy must hold exactly the files the grader sent, and no conftest but
        the course's own may have been loaded."""
        root = Path(str(config.rootpath))
        found: dict[str, str] = {}
        for path in root.rglob("*"):
            if "__pycache__" in path.parts:
                continue
            if path.is_symlink() or path.is_file():
                rel = path.relative_to(root).as_posix()
                found[rel] = "link" if path.is_symlink() else _sha(path.read_bytes())
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

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """After a check of an exercise timed out, its other checks fail at once: the same
        loop would stop each of them only at the timeout."""
        if item.location[0] in self.timed_out:
            pytest.fail("Not run: an earlier check of this exercise timed out.", pytrace=False)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.armed:
            results = self._results()
            for result in results:
                if result.timed_out:  # the plugin's own classification, never its wording
                    self.timed_out.add(result.file)
            records = [result.to_record() for result in results]
            payload = {NODEID: report.nodeid, "when": report.when, OUTCOME: report.outcome}
            self._emit("report", {**payload, "records": records})

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.armed:
            collect_only = bool(session.config.option.collectonly)
            self._emit("finish", {"exitstatus": int(exitstatus), "collect_only": collect_only})


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _codes(*objects: Any) -> set[CodeType]:
    codes: set[CodeType] = set()
    for obj in objects:
        function = getattr(obj, "__func__", obj)
        if isinstance(function, FunctionType):
            codes.add(function.__code__)
    return codes


def _chain_codes() -> set[CodeType]:
    """The code objects pytest runs between `pytest.main` and a report hook."""
    import _pytest.config
    import _pytest.main
    import _pytest.runner

    own = [getattr(Streamer, name) for name in vars(Streamer) if name.startswith("pytest_")]
    pytest_functions = [
        value
        for module in (_pytest.main, _pytest.runner)
        for value in vars(module).values()
        if isinstance(value, FunctionType) and value.__module__ == module.__name__
    ]
    configs = [getattr(_pytest.config, n, None) for n in ("main", "_main", "console_main")]
    return _codes(*pytest_functions, *configs, *own, main)


def _trusted_roots(workdir: Path) -> tuple[str, ...]:
    import pluggy

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(pluggy.__file__).parents[1])}
    roots |= {os.path.realpath(r) for r in list(roots)}
    tooling = str(Path(__file__).resolve().parents[1])
    prefixes = [r.rstrip("/") + "/" for r in roots] + [tooling + "/"]
    prefixes += [str(workdir / "checks") + "/", str(workdir / "conftest.py")]
    return tuple(prefixes)


def _write_working_copy(workdir: Path, files: dict[str, str]) -> dict[str, str]:
    digests: dict[str, str] = {}
    for rel, encoded in files.items():
        data = base64.b64decode(encoded)
        target = workdir / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ValueError(f"bad working-copy path {rel!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digests[rel] = _sha(data)
    return digests


def guard_sockets() -> None:
    """With a shared network (a database server): only loopback and Unix sockets (best effort;
    the sandbox shows no host socket file)."""
    original_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            if host not in ("localhost", "::1") and not host.startswith("127."):
                raise PermissionError(f"network access is disabled while grading ({address!r})")
        original_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]


def main() -> int:
    config = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    workdir = Path.cwd()
    digests = _write_working_copy(workdir, config.pop("files"))
    send = make_sender(int(config["fd"]), bytes.fromhex(config.pop("key")))
    limits = config["limits"]
    confinement = confine.apply(
        memory_mb=int(limits["memory_mb"]),
        cpu_seconds=int(limits["cpu_seconds"]),
        fsize_mb=int(limits["fsize_mb"]),
        nproc=int(limits["nproc"]),
        sandboxed=bool(config.get("sandboxed")),
    )
    if config.get("shared_network"):
        guard_sockets()
    import pluggy

    checks = str(workdir / "checks")

    def snapshot(pytest_config: Any) -> Integrity:
        extra = [
            name
            for name, module in list(sys.modules.items())
            if str(getattr(module, "__file__", "") or "").startswith(
                (checks, str(workdir / "conftest.py"))
            )
        ]
        integrity = Integrity(pytest_config, extra)
        integrity.checks_roots = (checks + "/", str(workdir / "conftest.py"))
        integrity.take()
        return integrity

    streamer = Streamer(digests)
    audit.install(
        send,
        trusted_roots=_trusted_roots(workdir),
        report_codes=_codes(Streamer._emit),
        chain_codes=_chain_codes(),
        pluggy_root=str(Path(pluggy.__file__).parent) + "/",
        snapshot=snapshot,
    )
    del send
    streamer._emit("sandbox", f"{config.get('sandbox', '')}; {confinement.describe()}")
    return int(pytest.main(list(config["args"]), plugins=[streamer]))


if __name__ == "__main__":
    sys.exit(main())
