"""Chapter 13's checks run the learner's app through the plugin's `wired` fixture, on a database
seeded with names that have quotes, wildcards and a backslash in them."""

import pytest

from checks.ch13_raw_sql._directory import seed
from fastlings.testing import WiredApp


@pytest.fixture
async def directory(wired: WiredApp) -> WiredApp:
    await seed(wired)
    return wired
