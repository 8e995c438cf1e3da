"""One frozen description of a run of checks, and the only place that builds pytest arguments.

Every way of running checks (in process, in a child process, in the warm worker, in the
grading sandbox) describes its run as a `RunSpec` and asks it for `pytest_args()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fastlings.course.manifest import Entry, Target

DEFAULT_TIMEOUT = 10.0
"""Seconds before one hanging check is stopped: the same for watch, check, list and grading."""


@dataclass(frozen=True)
class RunSpec:
    """Which checks files, against which target, with which limits and database server."""

    paths: tuple[str, ...]
    target: Target = "exercise"
    timeout: float | None = DEFAULT_TIMEOUT
    db_server: str | None = None
    """A database server to create each check's database on (None: SQLite in RAM)."""
    rootdir: Path | None = None
    """Pin pytest's rootdir and ini file to this course (when the cwd may differ)."""
    collect_only: bool = False
    extra: tuple[str, ...] = ()

    @classmethod
    def for_entries(
        cls,
        entries: Sequence[Entry],
        target: Target = "exercise",
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        db_server: str | None = None,
        relative: bool = False,
        pin_root: bool = True,
    ) -> RunSpec:
        """The checks files of `entries` (absolute, or relative to the course root)."""
        root = entries[0].course.root if entries else None
        paths = tuple(
            e.checks_path.relative_to(e.course.root).as_posix() if relative else str(e.checks_path)
            for e in entries
        )
        return cls(
            paths=paths,
            target=target,
            timeout=timeout,
            db_server=db_server,
            rootdir=root if pin_root else None,
        )

    def pytest_args(self, report: Path | None = None) -> list[str]:
        """The pytest command line: quiet, no cache, one target, the plugin's JSON report."""
        args = [*self.paths, f"--target={self.target}", "-p", "no:cacheprovider"]
        args += ["-q", "--no-header", "-rN"]
        if self.rootdir is not None:
            args.append(f"--rootdir={self.rootdir}")
            ini = self.rootdir / "pyproject.toml"
            if ini.is_file():
                args += ["-c", str(ini)]
        if self.timeout:
            args.append(f"--timeout={self.timeout:g}")
        if self.collect_only:
            args.append("--collect-only")
        if report is not None:
            args.append(f"--fastlings-report={report}")
        if self.db_server:
            args.append(f"--db-server={self.db_server}")
        args += self.extra
        return args
