"""Chapter 12's checks run the learner's app through the plugin's `wired` fixture, with ids
that start above 256 (see `_users.start_ids_high`)."""

import pytest

from checks.ch12_authorization._users import start_ids_high
from fastlings.testing import WiredApp


@pytest.fixture
async def app(wired: WiredApp) -> WiredApp:
    await start_ids_high(wired)
    return wired
