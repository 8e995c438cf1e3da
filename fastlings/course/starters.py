"""The pristine starter of an exercise, for `reset` and for "not started" in `list`.

Where it comes from, in order:

1. Git, the branch's upstream (`@{upstream}`, usually `origin/main`): the course as published.
   The learner's own commits never change it, so a learner who commits their work can still
   reset an exercise; a `git pull` of course fixes updates it.
2. Git, the first commit that added the file. Without an upstream (a course unpacked and then
   `git init`-ed, or a fork without tracking) the learner's commits come after the course's.
3. A copy saved in `.fastlings/starters/` the first time fastlings saw the exercise, when the
   course is not a git checkout at all.

Line endings are ignored when comparing, so a Windows checkout with autocrlf still matches.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fastlings.course.manifest import Entry
from fastlings.course.state import StateError, state_dir, warn_once, write_bytes_atomic


@dataclass(frozen=True)
class Starter:
    content: bytes
    source: str  # where it came from, as the learner would read it


def same_code(a: bytes, b: bytes) -> bool:
    return a.replace(b"\r\n", b"\n") == b.replace(b"\r\n", b"\n")


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_toplevel(root: Path) -> Path | None:
    out = _git(root, "rev-parse", "--show-toplevel")
    return Path(out.decode().strip()) if out else None


def _repo_paths(root: Path, top: Path, entries: list[Entry]) -> dict[str, str]:
    """qualified id -> the exercise's path relative to the repository's top level."""
    base = root.resolve().relative_to(top.resolve())
    return {
        e.qualified_id: (base / e.exercise_path.relative_to(e.course.root)).as_posix()
        for e in entries
    }


def _first_added(root: Path, paths: list[str]) -> dict[str, str]:
    """path -> the oldest commit (on HEAD's history) that added it, in one `git log`.

    `root` is the repository's top level, since `paths` are relative to it."""
    out = _git(root, "log", "--diff-filter=A", "--format=%x00%H", "--name-only", "--", *paths)
    if out is None:
        return {}
    found: dict[str, str] = {}
    for block in out.decode(errors="replace").split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        commit, *files = lines
        for name in files:
            found[name] = commit  # log is newest first, so the last one seen is the oldest
    return found


def _cat_files(root: Path, specs: list[str]) -> list[bytes | None]:
    """`git cat-file --batch` for many `<rev>:<path>` at once."""
    if not specs:
        return []
    out = _git(root, "cat-file", "--batch", stdin=("\n".join(specs) + "\n").encode())
    if out is None:
        return [None] * len(specs)
    results: list[bytes | None] = []
    position = 0
    for _ in specs:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            results.append(out[position : position + size])
            position += size + 1
        else:  # "<spec> missing"
            results.append(None)
    return results


def starters(entries: list[Entry]) -> dict[str, Starter]:
    """The pristine starter of each entry that has one (qualified id -> Starter)."""
    if not entries:
        return {}
    root = entries[0].course.root
    found: dict[str, Starter] = {}
    top = git_toplevel(root)
    if top is not None:
        paths = _repo_paths(root, top, entries)
        upstream = _git(root, "rev-parse", "--verify", "-q", "--abbrev-ref", "@{upstream}")
        if upstream:
            name = upstream.decode().strip()
            ids = list(paths)
            for qid, content in zip(
                ids, _cat_files(root, [f"{name}:{paths[q]}" for q in ids]), strict=True
            ):
                if content is not None:
                    found[qid] = Starter(content, f"git {name}:{paths[qid]}")
        missing = [q for q in paths if q not in found]
        if missing:
            added = _first_added(top, [paths[q] for q in missing])
            ids = [q for q in missing if paths[q] in added]
            specs = [f"{added[paths[q]]}:{paths[q]}" for q in ids]
            for qid, spec, content in zip(ids, specs, _cat_files(root, specs), strict=True):
                if content is not None:
                    found[qid] = Starter(content, f"git {spec[:12]}{spec[40:]}")
    for entry in entries:
        if entry.qualified_id in found:
            continue
        copy = snapshot_path(entry)
        if copy.is_file():
            found[entry.qualified_id] = Starter(copy.read_bytes(), str(copy.relative_to(root)))
    return found


def snapshot_path(entry: Entry) -> Path:
    return state_dir(entry.course.root) / "starters" / entry.chapter.id / f"{entry.id}.py"


def snapshot_untracked(entries: list[Entry], known: dict[str, Starter]) -> None:
    """Outside git, keep a copy of each starter the first time it is seen (fallback 3)."""
    for entry in entries:
        if entry.qualified_id in known or not entry.exercise_path.is_file():
            continue
        copy = snapshot_path(entry)
        if not copy.exists():
            try:
                write_bytes_atomic(copy, entry.exercise_path.read_bytes())
            except StateError as exc:
                warn_once(f"No copy of the starters is kept for `reset`: {exc}.")
                return
