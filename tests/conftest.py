"""The tooling's own tests. `fixture_course/` is a tiny course they copy and break."""

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
collect_ignore = ["fixture_course"]

FIXTURE_COURSE = Path(__file__).parent / "fixture_course"


@pytest.fixture
def course(pytester: pytest.Pytester) -> Path:
    """A fresh copy of the fixture course, as the pytester folder (and the cwd)."""
    shutil.copytree(FIXTURE_COURSE, pytester.path, dirs_exist_ok=True)
    return pytester.path
