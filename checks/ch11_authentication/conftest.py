"""Chapter 11's checks run the learner's app through the plugin's `wired` fixture (schema on the
check's database, `get_db` overridden, lifespan run) with settings that hold a key the checks
know."""

import pytest

from checks.ch11_authentication._auth import use_check_key
from fastlings.testing import Teach, WiredApp


@pytest.fixture
def auth(wired: WiredApp, teach: Teach) -> WiredApp:
    """The learner's app, wired, reading settings whose `secret_key` is `CHECK_KEY`."""
    use_check_key(wired, teach)
    return wired
