"""The codespace and editor files: the dev container sets the course up exactly as the README
says, and the VS Code problem matcher finds the learner's file and line in `check` output."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(f"<!-- ci:{marker} -->", 1)[1]
    return block.split("```bash\n", 1)[1].split("```", 1)[0].strip()


def test_the_devcontainer_runs_the_readme_setup_command() -> None:
    config = json.loads((ROOT / ".devcontainer/devcontainer.json").read_text())
    assert (
        readme_command("start-command") == config["postCreateCommand"] + " && .venv/bin/fastlings"
    )
    assert config["image"].startswith("mcr.microsoft.com/devcontainers/python")


def test_the_problem_matcher_finds_the_learners_line() -> None:
    tasks = json.loads((ROOT / ".vscode/tasks.json").read_text())
    pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]
    line = (
        "│ - The app raised KeyError at exercises/ch01_ping/ex01_ping.py:7 (in ping): "
        "`return user['email']`: 'email'      │"
    )
    found = re.search(pattern["regexp"], line)
    assert found is not None
    assert found.group(pattern["file"]) == "exercises/ch01_ping/ex01_ping.py"
    assert found.group(pattern["line"]) == "7"
    assert "return user['email']" in found.group(pattern["message"])
