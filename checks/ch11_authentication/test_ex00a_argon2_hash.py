"""Checks for chapter 11, step 1: passwords stored as salted Argon2id hashes."""

from pwdlib import PasswordHash

from checks.ch11_authentication._auth import PASSWORD, sign_up, weak_parameters
from checks.ch11_authentication._stored import describe_stored, stored_strings
from fastlings.testing import Teach, WiredApp

ARGON2_EXPECTED = (
    'an Argon2id hash made by pwdlib, starting with "$argon2id$" (PasswordHash.recommended(), '
    "or PasswordHash((Argon2Hasher(...),)) with OWASP's parameters)"
)


async def argon2_hashes(wired: WiredApp, teach: Teach, *usernames: str) -> list[str]:
    for username in usernames:
        await sign_up(wired, username, teach)
    values = [v for v in await stored_strings(wired) if v not in usernames]
    assert PASSWORD not in values, teach(
        "After the sign-up, the database holds the password in plain text.", ARGON2_EXPECTED
    )
    hashes = [v for v in values if v.startswith("$argon2id$")]
    assert len(hashes) == len(usernames), teach(
        f"After {len(usernames)} sign-up(s), the password column holds "
        f"{', '.join(describe_stored(v) for v in values) or 'nothing'}.",
        ARGON2_EXPECTED,
    )
    return hashes


async def test_password_stored_as_argon2_hash(wired: WiredApp, teach: Teach) -> None:
    [stored] = await argon2_hashes(wired, teach, "ada")
    weak = weak_parameters(stored)
    assert weak is None, teach(
        f"The stored hash {stored[:40]}... is Argon2id, but {weak}.",
        "parameters that make each guess expensive: PasswordHash.recommended(), or "
        "Argon2Hasher(memory_cost=..., time_cost=...) at or above OWASP's minimum",
    )
    hasher = PasswordHash.recommended()  # verifies any Argon2 parameters: they are in the hash
    assert hasher.verify(PASSWORD, stored), teach(
        f"The stored Argon2 hash {stored[:30]}... does not verify the password that was sent.",
        "the hash of the password from the request body",
    )
    assert not hasher.verify(PASSWORD + "!", stored), teach(
        "The stored hash also verifies a different password.",
        "the hash of exactly the password that was sent",
    )


async def test_same_password_gives_different_hashes(wired: WiredApp, teach: Teach) -> None:
    for username in ("ada", "grace"):
        await sign_up(wired, username, teach)
    stored = [v for v in await stored_strings(wired) if v not in ("ada", "grace")]
    assert len(stored) == len(set(stored)), teach(
        f"ada and grace chose the same password, and the database holds the same value for "
        f"both: {describe_stored(stored[0])}. One cracked guess opens every account with that "
        "password.",
        "a random salt per hash, which pwdlib's hash() makes itself: never a fixed salt",
    )
