"""`fastlings serve`: the exercise's app under uvicorn, with the /docs URL printed."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FASTLINGS, FIRST, SECOND

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_the_docs_url_and_serves_it(course: Path) -> None:
    port = free_port()
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen(
        [*FASTLINGS, "serve", FIRST, "--port", str(port)],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/docs" in first + process.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=2) as page:
                    assert page.status == 200 and b"swagger" in page.read().lower()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=15)


def start_serving(course: Path, ident: str, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [*FASTLINGS, "serve", ident, "--port", str(port), "--target", "solution"],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    deadline = time.monotonic() + 30
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as page:  # noqa: S310
                return page.status, page.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_two_exercises_served_one_after_the_other_each_get_their_own_database(
    course: Path,
) -> None:
    """The second exercise's table has a column the first's lacks: with one shared
    ./fastlings.db its POST answered 500."""
    second = course / "solutions" / "ch01_endpoint_structure" / f"{SECOND}.py"
    signup = (
        Path(__file__).parents[1] / "solutions/ch02_request_validation/ex01_validated_signup.py"
    )
    second.write_text(signup.read_text())
    bodies = {
        FIRST: b'{"email": "ada@example.com", "name": "Ada"}',
        SECOND: b'{"email": "ada@example.com", "name": "Ada", "age": 36}',
    }
    for ident in (FIRST, SECOND):
        port = free_port()
        process = start_serving(course, ident, port)
        try:
            status, body = fetch(f"http://127.0.0.1:{port}/users", bodies[ident])
            assert status == 201, body
        finally:
            process.terminate()
            output = process.communicate(timeout=15)[0]
        assert f".fastlings/serve/{ident}-solution.db" in output, output


def test_docs_and_redoc_reference_no_external_url(course: Path) -> None:
    port = free_port()
    process = start_serving(course, FIRST, port)
    try:
        for page in ("docs", "redoc"):
            status, html = fetch(f"http://127.0.0.1:{port}/{page}")
            assert status == 200
            external = re.findall(rb"(?:src|href)=[\"'](https?://[^\"']+)", html)
            assert external == [], external
            for asset in re.findall(rb"(?:src|href)=[\"'](/[^\"']+)", html):
                assert fetch(f"http://127.0.0.1:{port}{asset.decode()}")[0] == 200, asset
    finally:
        process.terminate()
        process.wait(timeout=15)
