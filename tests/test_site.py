"""The course site: `mkdocs build --strict`, then a lesson page and a notebook page rendered in
headless Chromium, with highlighted code and the chapters in course order in the navigation."""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastlings.course.manifest import load_course
from tests.test_grade_class_html import chromium

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def rendered(url: str, tmp_path: Path) -> str:
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def nav_titles_in_order(dom: str) -> None:
    chapters = load_course(ROOT).chapters
    positions = [dom.find(f"{c.number}. {c.title}".replace("&", "&amp;")) for c in chapters]
    assert all(p >= 0 for p in positions), [
        c.title for c, p in zip(chapters, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)


def test_a_lesson_page_has_highlighted_code_and_the_chapters_in_order(
    site: str, tmp_path: Path
) -> None:
    first = load_course(ROOT).chapters[0]
    dom = rendered(f"{site}/lessons/{first.id}/", tmp_path)
    assert re.search(r'class="highlight"', dom) and re.search(r'<span class="(kn|k|nf)">', dom)
    nav_titles_in_order(dom)


def test_a_notebook_page_shows_its_cells_highlighted(site: str, tmp_path: Path) -> None:
    first = load_course(ROOT).chapters[0]
    dom = rendered(f"{site}/notebooks/{first.id}/", tmp_path)
    assert "jp-Cell" in dom or "jupyter-wrapper" in dom, dom[:2000]
    assert re.search(r'<span class="(kn|k|nf)">', dom)
    nav_titles_in_order(dom)
