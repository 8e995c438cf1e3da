"""`report.html` renders in headless Chromium, and the pass-rate chart is really drawn.

The screenshot is decoded here (PNG, pure Python) and its pixels counted: each bar colour of the
chart must cover the area its pass rate implies, which a blank or unstyled page cannot do.
Chromium is Debian's `chromium` package. Without it the test skips, except under CI (env `CI`
set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from fastlings.grading import CheckGrade, ExerciseGrade
from fastlings.grading.html import FAIL, PASS
from fastlings.grading.models import ClassGrade, ExerciseInfo, LearnerGrade
from fastlings.grading.report import write_outputs

pytestmark = pytest.mark.timeout(180)


def chromium() -> str:
    found = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it")


def sample_class() -> ClassGrade:
    """Four learners: ex_a passed by all, ex_b by one (a failing check), ex_c by none."""
    infos = [
        ExerciseInfo(id=f"ex_{i}", chapter="ch01_x", title=i, points=10) for i in ("a", "b", "c")
    ]

    def grade(exercise: str, passed: bool, reason: str | None = None) -> ExerciseGrade:
        checks = [
            CheckGrade(
                name="test_it",
                passed=passed,
                outcome="passed" if passed else "failed",
                message=None if passed else "POST /x answered 200.\nExpected: 201",
            )
        ]
        return ExerciseGrade(
            id=f"ex_{exercise}",
            chapter="ch01_x",
            points_earned=10 * passed,
            points_possible=10,
            passed=passed,
            reason=reason,
            checks=[] if reason else checks,
        )

    learners = []
    for index, name in enumerate(["ada", "bob", "<script>alert(1)</script>", "dan"]):
        exercises = [
            grade("a", True),
            grade("b", index == 0),
            grade("c", False, "zero: the exercise tried to start a new process" if index else None),
        ]
        learners.append(
            LearnerGrade(
                learner=name,
                points_earned=sum(e.points_earned for e in exercises),
                points_possible=30,
                exercises=exercises,
            )
        )
    return ClassGrade(course="Sample", exercises=infos, learners=learners, points_possible=30)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of RGB(A) pixels of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        previous = line
    if channels == 4:  # drop alpha: keep RGB
        rows = [b"".join(r[i : i + 3] for i in range(0, len(r), 4)) for r in rows]
    return width, height, rows


def count_colour(rows: list[bytes], hex_colour: str) -> int:
    rgb = bytes.fromhex(hex_colour.lstrip("#"))
    total = 0
    for row in rows:
        for i in range(0, len(row), 3):
            pixel = row[i : i + 3]
            if all(abs(a - b) <= 6 for a, b in zip(pixel, rgb, strict=True)):
                total += 1
    return total


def test_report_renders_with_the_chart_drawn(tmp_path: Path) -> None:
    browser = chromium()
    result = sample_class()
    paths = write_outputs(result, tmp_path)
    html = paths["html"].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--window-size=1000,700",
                f"--screenshot={shot}",
                paths["html"].as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert shot.is_file(), f"no screenshot (exit {done.returncode}):\n{done.stderr[-3000:]}"
    width, height, rows = read_png(shot)
    assert (width, height) == (1000, 700)
    # Bars are 420 px wide at 100% and 18 px high: ex_a 100% (green), ex_b 25% (red, 105 px),
    # ex_c 0% (a 2 px red stub). Anti-aliased edges aside, the areas must be there.
    green, red = count_colour(rows, PASS), count_colour(rows, FAIL)
    assert green >= 420 * 16, f"the 100% bar is not drawn ({green} green pixels)"
    assert 105 * 16 <= red <= 4 * (105 + 2) * 18, f"the 25% bar is not drawn ({red} red pixels)"
    white = count_colour(rows, "#ffffff")
    assert white < width * height * 0.97, "the page is blank"
