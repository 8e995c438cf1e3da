import time

import jwt
import pytest

from lessons.examples.ch11_authentication.staff_tokens import BadBadge, issue_badge, read_badge

KEY = "a-test-key-for-badges-0123456789abcdef-0123"


def test_a_badge_names_its_holder_as_a_string_and_expires() -> None:
    claims = jwt.decode(issue_badge(42, KEY, minutes=15), KEY, algorithms=["HS256"])
    assert claims["sub"] == "42"
    assert 14 * 60 < claims["exp"] - time.time() <= 15 * 60
    assert read_badge(issue_badge(42, KEY), KEY) == 42


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode({"sub": "42"}, KEY, algorithm="HS256"),  # no exp: would never expire
        jwt.encode({"sub": "42", "exp": int(time.time()) - 60}, KEY, algorithm="HS256"),
        jwt.encode({"sub": "42", "exp": int(time.time()) + 60}, "another-key" * 4),
        jwt.encode({"sub": "42", "exp": int(time.time()) + 60}, None, algorithm="none"),
        jwt.encode({"sub": "forty-two", "exp": int(time.time()) + 60}, KEY, algorithm="HS256"),
        "not a token",
    ],
    ids=["no-exp", "expired", "other-key", "alg-none", "sub-not-a-number", "garbage"],
)
def test_every_bad_badge_is_refused(token: str) -> None:
    with pytest.raises(BadBadge):
        read_badge(token, KEY)
