"""What the plugin's parts share: stash keys and environment variable names."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastlings.course.manifest import Target
from fastlings.run.record import Kind

TARGET_ENV = "FASTLINGS_TARGET"
DB_SERVER_ENV = "FASTLINGS_DB_SERVER"
REPORT_ENV = "FASTLINGS_REPORT"

target_key = pytest.StashKey[Target]()
kind_key = pytest.StashKey[Kind | None]()
reported_key = pytest.StashKey[set[str]]()
learner_file_key = pytest.StashKey[Path]()
timeout_message_key = pytest.StashKey[str]()
