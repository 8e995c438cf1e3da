"""Benchmark: 60 learners each post one event a second for 60 s to a dashboard on loopback.

    python bench/dashboard.py [--learners 60] [--seconds 60]

It starts `fastlings class dashboard` on a free 127.0.0.1 port with a fresh state folder,
joins the learners, then runs the load (bounded in count and time) while an instructor reloads
the page every second. Printed: the p50/p99 latency of the event posts and of the page, and
how many events the room holds against how many were sent (none may be lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def learner(client: httpx.AsyncClient, token: str, seconds: int, out: list[float]) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    sent = 0
    start = time.monotonic()
    for second in range(seconds):
        body = {
            "exercise": "ex01_users_router",
            "passed": second % 5 == 4,
            "passed_checks": ["test_a"],
            "failing_checks": [] if second % 5 == 4 else ["test_b"],
            "first_failure": None if second % 5 == 4 else "test_b",
            "headline": None if second % 5 == 4 else "POST /users answered 500.",
            "duration": 0.7,
            "version": "bench",
        }
        began = time.perf_counter()
        response = await client.post("/api/events", json=body, headers=headers)
        out.append(time.perf_counter() - began)
        sent += response.status_code == 201
        await asyncio.sleep(max(0.0, start + second + 1 - time.monotonic()))
    return sent


async def run(url: str, info: dict[str, str], learners: int, seconds: int) -> None:
    limits = httpx.Limits(max_connections=learners + 5)
    async with httpx.AsyncClient(base_url=url, timeout=10, limits=limits) as client:
        tokens = []
        for index in range(learners):
            response = await client.post(
                "/api/join", json={"join_code": info["join_code"], "name": f"learner {index}"}
            )
            tokens.append(response.json()["token"])
        posts: list[float] = []
        pages: list[float] = []
        teacher = {"Authorization": f"Bearer {info['instructor_token']}"}

        async def instructor() -> None:
            for _ in range(seconds):
                began = time.perf_counter()
                await client.get("/", headers=teacher)
                pages.append(time.perf_counter() - began)
                await asyncio.sleep(1)

        results = await asyncio.gather(
            instructor(), *(learner(client, t, seconds, posts) for t in tokens)
        )
        sent = sum(r or 0 for r in results[1:])
        text = (await client.get("/api/events.csv", headers=teacher)).text
        stored = len(text.strip().splitlines()) - 1
    print(f"{learners} learners x {seconds} s: {sent} events accepted, {stored} stored")
    for label, values in (("event post", posts), ("page", pages)):
        p50, p99 = quantile(values, 0.5) * 1000, quantile(values, 0.99) * 1000
        print(f"{label:<11} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {max(values) * 1000:.0f} ms")
    mean = statistics.mean(posts) * 1000
    print(f"lost events: {learners * seconds - stored}; mean post {mean:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=60)
    options = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="fastlings-bench-") as scratch:
        state = Path(scratch) / "state"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fastlings",
                "class",
                "dashboard",
                "--port",
                str(port),
                "--state-dir",
                str(state),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "FASTLINGS_DASHBOARD_EVENTS_PER_MINUTE": "1000"},
        )
        try:
            deadline = time.monotonic() + 30
            while not (state / "dashboard.json").is_file():
                if time.monotonic() > deadline:
                    raise SystemExit("the dashboard did not start")
                time.sleep(0.2)
            time.sleep(1.5)
            info = json.loads((state / "dashboard.json").read_text())
            asyncio.run(run(f"http://127.0.0.1:{port}", info, options.learners, options.seconds))
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
