"""The warm-worker runner: checks run in `fastlings.run.worker`, which already holds FastAPI
and friends, so a run costs only the checks themselves. Used by watch mode."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from fastlings.course.manifest import Entry
from fastlings.run.record import RunResult, read_report
from fastlings.run.spec import RunSpec
from fastlings.scratch import scratch_dir


class WorkerClient:
    """Talks to `python -m fastlings.run.worker`; replaces it when it dies or stops answering."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self.scratch = scratch_dir("watch", at_exit=True)
        self.report = self.scratch / "report.json"
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ}
        env.pop("FASTLINGS_REPORT", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "fastlings.run.worker", str(self.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.root,
            env=env,
            text=True,
            bufsize=1,
        )
        self.lines = queue.Queue()
        stdout = process.stdout
        assert stdout is not None
        threading.Thread(target=self._pump, args=(stdout, self.lines), daemon=True).start()
        self.process = process
        return process

    @staticmethod
    def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._start()

    def args(self, entries: list[Entry]) -> list[str]:
        return RunSpec.for_entries(entries, "exercise", timeout=self.timeout).pytest_args(
            self.report
        )

    def run(self, entries: list[Entry], following: Entry | None = None) -> RunResult:
        """Run the checks of `entries`; prepare the next run for `following`."""
        entries = [e for e in entries if e.checks_path.is_file()]  # missing: "no check ran"
        if not entries:
            return RunResult(target="exercise")
        hard = self.timeout + 10 + 2 * len(entries)
        for _attempt in range(2):
            self.ensure_started()
            process = self.process
            assert process is not None and process.stdin is not None
            self.report.unlink(missing_ok=True)
            request = {
                "args": self.args(entries),
                "hard_timeout": hard,
                "next_args": self.args([following]) if following else None,
            }
            try:
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            except OSError:
                self.stop()
                continue
            answer = self._answer(hard + 30)
            if answer is None:  # the worker died or hung: replace it
                self.stop()
                continue
            status = answer.get("status")
            if status == "timeout":
                result = RunResult(target="exercise", timed_out=True)
                result.crashed = (
                    f"The checks did not finish within {hard:g}s and were stopped. Look for an "
                    "infinite loop, or a blocking call that never returns."
                )
                return result
            code = answer.get("code")
            return read_report(self.report, "exercise", code if isinstance(code, int) else None)
        result = RunResult(target="exercise")
        result.crashed = "The checks' worker process stopped unexpectedly."
        return result

    def _answer(self, timeout: float) -> dict[str, object] | None:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return None
            if line is None:
                return None
            data = json.loads(line)
            if isinstance(data, dict) and data.get("status") != "ready":
                return data

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)
