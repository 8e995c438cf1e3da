"""Chapter 12's checks run the learner's app through the plugin's `wired` fixture, with ids
that start above 256 (see `_users.start_ids_high`)."""

import pytest

from checks.ch12_authorization._users import start_ids_high
from fastlings.testing import Teach, WiredApp


@pytest.fixture
async def app(wired: WiredApp) -> WiredApp:
    await start_ids_high(wired)
    return wired


def assert_all_401(answers: dict[str, int], teach: Teach, expected: str) -> None:
    """Every `"METHOD path": status` in `answers`, sent without a token, was answered 401."""
    wrong = {request: status for request, status in answers.items() if status != 401}
    assert not wrong, teach(
        "Without an Authorization header: "
        + ", ".join(f"{request} -> {status}" for request, status in wrong.items()),
        expected,
    )
