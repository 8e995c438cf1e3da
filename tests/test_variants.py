"""Wrong-but-plausible fixes (`tests/variants/*.toml`): the first screen names the real cause.

Each variant is applied to a copy of the course, checked in the warm worker as watch mode
does, graded, and rendered as `fastlings check` renders its first failure. See
`tests/variants/README.md` for the format. `python tests/test_variants.py` prints the count
per chapter and exercise.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fastlings.course.manifest import Course, Entry, load_course

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = Path(__file__).with_name("variants")
COPIED = ("course.toml", "pyproject.toml", "exercises", "solutions", "checks", "lessons")


@dataclass(frozen=True)
class Variant:
    file: str
    exercise: str
    base: str
    mistake: str
    change: tuple[tuple[str, str], ...]
    screen: tuple[str, ...]
    answers: int | None
    handshake: int | None = None
    """WebSocket exercises: what a real server answers the upgrade request with (403 when the
    app closes or finds no route before `accept()`, 500 when it raises before it)."""
    closes: int | None = None
    """WebSocket exercises: the code a connected client sees when the handler raises after
    `accept()` (1006: the server drops the connection without a close frame)."""
    received: bool = False
    """`answers` is the status the learner's TEST received from the correct app (chapter 9,
    where the learner writes tests): the screen shows it in a line of what the test received."""

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.mistake.lower()).strip("-")[:60]
        return f"{Path(self.file).stem}:{self.exercise}:{slug}"


def load_variants() -> list[Variant]:
    variants = []
    for path in sorted(VARIANTS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("variant", []):
            variants.append(
                Variant(
                    file=path.name,
                    exercise=raw["exercise"],
                    base=raw.get("base", "solution"),
                    mistake=raw["mistake"],
                    change=tuple((old, new) for old, new in raw["change"]),
                    screen=tuple(raw["screen"]),
                    answers=raw.get("answers"),
                    handshake=raw.get("handshake"),
                    closes=raw.get("closes"),
                    received=raw.get("received", False),
                )
            )
    return variants


ALL = load_variants()


def squeeze(text: str) -> str:
    """The text without whitespace or the panel's borders: a wrapped line still matches."""
    return re.sub(r"[\s│╭╮╰╯─]+", "", text)


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory: pytest.TempPathFactory) -> Course:
    root = tmp_path_factory.mktemp("variants")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, root / name)
    return load_course(root)


@pytest.fixture(scope="module")
def worker(course_copy: Course) -> Iterator[object]:
    from fastlings.run.warm import WorkerClient

    client = WorkerClient(course_copy.root, timeout=10.0)
    yield client
    client.close()


def first_screen(entry: Entry, source: str, worker: object) -> tuple[bool, str]:
    """Write `source` as the learner's file, check it, and render the first failure."""
    from rich.console import Console

    from fastlings.grading import grade_exercise
    from fastlings.learner.report import failure_panel
    from fastlings.run.warm import WorkerClient

    assert isinstance(worker, WorkerClient)
    entry.exercise_path.write_text(source, encoding="utf-8")
    run = worker.run([entry])
    grade = grade_exercise(entry, [] if run.crashed else run.for_entry(entry), run.crashed)
    out = Console(file=io.StringIO(), width=100, record=True, color_system=None)
    target = entry.exercise_path.relative_to(entry.course.root).as_posix()
    out.print(failure_panel(entry, grade, target_file=target))
    return grade.passed, out.export_text()


def pristine(entry: Entry, base: str) -> str:
    """The committed solution or starter (the working copy's starter may be someone's work)."""
    path = entry.solution_path if base == "solution" else entry.exercise_path
    relative = path.relative_to(entry.course.root).as_posix()
    shown = subprocess.run(
        ["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode == 0:
        return shown.stdout
    return (ROOT / relative).read_text(encoding="utf-8")


def apply(variant: Variant, text: str) -> str:
    for old, new in variant.change:
        assert old in text, (
            f"{variant.file}: the variant '{variant.mistake}' changes {old!r}, which its "
            f"{variant.base} no longer contains: update the variant with the file"
        )
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("variant", ALL, ids=[v.id for v in ALL])
def test_first_screen_names_the_cause(
    variant: Variant, course_copy: Course, worker: object
) -> None:
    entry = course_copy.entry(variant.exercise)
    passed, screen = first_screen(entry, apply(variant, pristine(entry, variant.base)), worker)
    assert not passed, f"the variant '{variant.mistake}' passes every check of {entry.id}"
    seen = squeeze(screen)
    shown = (variant.answers, variant.handshake, variant.closes)
    wanted = [*variant.screen, *(str(status) for status in shown if status)]
    if variant.received:  # "it received: POST /user answered 404: ..."
        wanted += ["it received:", f"answered {variant.answers}"]
    missing = [text for text in wanted if squeeze(text) not in seen]
    assert not missing, (
        f"{entry.id}, '{variant.mistake}': the first screen lacks {missing}.\n{screen}"
    )


def test_variants_name_real_exercises() -> None:
    course = load_course(ROOT)
    known = {e.id for e in course.entries()}
    for variant in ALL:
        assert variant.exercise in known, f"{variant.file}: no exercise {variant.exercise}"
        assert variant.base in ("solution", "starter"), f"{variant.id}: base {variant.base}"
        assert variant.screen, f"{variant.id}: says nothing the screen must show"
        assert variant.change, f"{variant.id}: changes nothing"
        websocket = variant.file.startswith("ch24_")
        assert websocket or not (variant.handshake or variant.closes), (
            f"{variant.id}: `handshake` and `closes` are for WebSocket exercises only"
        )
        assert variant.handshake in (None, 403, 500), f"{variant.id}: handshake {variant.handshake}"
        assert variant.closes in (None, 1006), f"{variant.id}: closes {variant.closes}"
        assert variant.answers or not variant.received, f"{variant.id}: received, no answers"
    ids = Counter(v.id for v in ALL)
    assert not [i for i, n in ids.items() if n > 1], "two variants share a mistake's wording"


def test_every_exercise_has_three_variants() -> None:
    """Issue 12's floor: three recorded wrong-but-plausible fixes per exercise, at least."""
    per_exercise = Counter(v.exercise for v in ALL)
    few = {e.id: per_exercise[e.id] for e in load_course(ROOT).entries() if per_exercise[e.id] < 3}
    assert not few, f"exercises with fewer than three variants in tests/variants/: {few}"


GENERIC = (404, 422, 500)
"""The generic statuses a route answers with, whatever went wrong."""
HANDSHAKE = (403, 500)
"""What a real server answers a WebSocket's upgrade request with when the app closes (403) or
raises (500) before `accept()`: an HTTP status too, the handshake's."""


def generic_status(variant: Variant) -> bool:
    return variant.answers in GENERIC or variant.handshake in HANDSHAKE


def test_every_exercise_has_three_generic_status_variants() -> None:
    """Issue 12's acceptance: three per exercise that the app answers with a generic status (a
    route's 404/422/500, or the 403/500 a real server answers a WebSocket handshake with)."""
    generic = Counter(v.exercise for v in ALL if generic_status(v))
    few = {e.id: generic[e.id] for e in load_course(ROOT).entries() if generic[e.id] < 3}
    assert not few, f"exercises with fewer than three generic-status variants: {few}"


def counts() -> str:
    """Per chapter: the variants and those answered with a generic HTTP status: a route's 404,
    422 or 500, or (WebSocket exercises) the 403 or 500 a real server answers the handshake
    with. Per exercise, total/generic, then how many of the generic ones are handshakes, and
    `+N closes`: variants whose client sees only the 1006 of a handler that raised after
    `accept()`, which is no HTTP status and is not counted as one."""
    course = load_course(ROOT)
    per_exercise = Counter(v.exercise for v in ALL)
    generic = Counter(v.exercise for v in ALL if generic_status(v))
    handshakes = Counter(v.exercise for v in ALL if v.handshake in HANDSHAKE)
    closes = Counter(v.exercise for v in ALL if v.closes and not generic_status(v))

    def each(i: str) -> str:
        text = f"{i.split('_')[0]}:{per_exercise[i]}/{generic[i]}"
        if handshakes[i]:
            text += f" ({handshakes[i]} on the handshake)"
        return text + (f" +{closes[i]} closes" if closes[i] else "")

    lines = []
    for chapter in course.chapters:
        ids = [e.id for e in chapter.exercises]
        total, statuses = sum(per_exercise[i] for i in ids), sum(generic[i] for i in ids)
        shown = " ".join(each(i) for i in ids)
        lines.append(f"{chapter.id:28} {total:3} variants, {statuses:3} generic-status  {shown}")
    lines.append(
        f"{'all':28} {len(ALL):3} variants, {sum(generic.values()):3} generic-status "
        f"({sum(handshakes.values())} on a WebSocket handshake), "
        f"{sum(closes.values())} more WebSocket closes (1006)"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(counts() + "\n")
