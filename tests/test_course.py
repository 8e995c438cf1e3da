"""The real course passes its own gate: `fastlings dev verify` (checks, lint, types, notebooks)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.timeout(900)
def test_fastlings_verify_passes_on_the_course() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fastlings", "dev", "verify"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    print(done.stdout, done.stderr)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "verify: OK" in done.stdout
