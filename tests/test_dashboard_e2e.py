"""The dashboard end to end: started by the CLI, joined by two course copies, fed by
`fastlings check`, read through /api/learners, and the instructor's page in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import FASTLINGS, FIRST, exercise_file, run_cli, solution_file
from tests.test_grade_class_html import chromium

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def room(course_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("room")
    port = free_port()
    state = base / "state"
    server = subprocess.Popen(
        [*FASTLINGS, "class", "dashboard", "--port", str(port), "--state-dir", str(state)],
        cwd=course_template,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while not (state / "dashboard.json").is_file() or not _up(port):
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
        info = json.loads((state / "dashboard.json").read_text())
        assert oct((state / "dashboard.json").stat().st_mode & 0o777) == "0o600"
        courses = {}
        for name in ("Ada", "Grace"):
            root = base / name
            shutil.copytree(course_template, root, symlinks=True)
            joined = run_cli(root, "class", "join", info["url"], info["join_code"], "--name", name)
            assert joined.returncode == 0, joined.stdout + joined.stderr
            courses[name] = root
        solved = courses["Grace"]
        exercise_file(solved).write_bytes(solution_file(solved).read_bytes())
        for root in courses.values():
            run_cli(root, "check", FIRST)
        yield {"info": info, "courses": courses}
    finally:
        server.terminate()
        server.wait(timeout=15)


def _up(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/login?token=x", timeout=1)
    except httpx.HTTPError:
        return False
    return True


def learners(info: dict) -> dict[str, dict]:
    headers = {"Authorization": f"Bearer {info['instructor_token']}"}
    deadline = time.monotonic() + 30
    while True:
        rows = httpx.get(f"{info['url']}/api/learners", headers=headers, timeout=5).json()
        found = {r["name"]: r for r in rows}
        if all(found.get(n, {}).get("current_exercise") for n in ("Ada", "Grace")):
            return found
        assert time.monotonic() < deadline, rows
        time.sleep(0.3)


def test_two_learners_checks_reach_the_room(room: dict) -> None:
    found = learners(room["info"])
    assert found["Ada"]["current_exercise"] == FIRST and found["Ada"]["passed"] is False
    assert found["Ada"]["first_failure"] and found["Ada"]["headline"]
    assert found["Grace"]["current_exercise"] == FIRST and found["Grace"]["passed"] is True
    leave = run_cli(room["courses"]["Ada"], "class", "leave")
    assert (
        leave.returncode == 0
        and not (room["courses"]["Ada"] / ".fastlings" / "dashboard-learner.json").exists()
    )


def test_the_instructor_page_shows_both_rows_and_the_heatmap(room: dict, tmp_path: Path) -> None:
    learners(room["info"])
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
            "--timeout=5000",
            "--dump-dom",
            room["info"]["instructor_url"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = done.stdout
    assert 'id="learners"' in dom, done.stderr[-2000:]
    assert dom.count('class="learner"') == 2 and "Ada" in dom and "Grace" in dom
    heat = dom.split('id="heatmap"', 1)[1].split("</table>", 1)[0]
    assert f"{FIRST}::" in heat and 'class="check"' in heat
