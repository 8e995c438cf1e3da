"""Checks for chapter 11, exercise 1: Argon2 hashes, a form login, a token with sub and exp, and
failures that look and take alike."""

import time

from httpx import Response
from pwdlib import PasswordHash

from checks.ch11_authentication._auth import log_in, login_failed, sign_up, weak_parameters
from checks.ch11_authentication._stored import describe_stored, stored_strings
from checks.ch11_authentication._token import login_token, signed_claims
from checks.ch11_authentication.conftest import assert_string_sub, exp_said
from fastlings.testing import Teach, WiredApp

MAX_LIFETIME = 24 * 3600  # seconds: access tokens are short-lived
PAIRS = 4  # interleaved (wrong password, unknown user) logins per round
# The ratio of the CPU time of the unknown user's cheapest login to the wrong password's
# cheapest. Measured with another CPU-bound process running on a 2-core machine, ten runs each:
# a correct login 0.91-1.03; no dummy hash below 0.2; one extra hash on one path 0.51-0.56 or
# 1.72-1.90. So a 2x gap either way fails, with wide margins on both sides.
LOW, HIGH = 0.7, 1.45


async def test_password_stored_as_argon2_hash(auth: WiredApp, teach: Teach) -> None:
    await sign_up(auth, "ada", teach)
    values = [v for v in await stored_strings(auth) if v != "ada"]
    hashes = [v for v in values if v.startswith("$argon2id$")]
    assert hashes, teach(
        "After the sign-up, the password column holds "
        f"{', '.join(describe_stored(v) for v in values) or 'nothing'}.",
        'an Argon2id hash made by pwdlib, starting with "$argon2id$"',
    )
    weak = weak_parameters(hashes[0])
    assert weak is None, teach(
        f"The stored hash {hashes[0][:40]}... is Argon2id, but {weak}.",
        "PasswordHash.recommended(), or Argon2Hasher parameters at or above OWASP's minimum",
    )
    assert PasswordHash.recommended().verify("correct horse battery staple", hashes[0]), teach(
        f"The stored Argon2 hash {hashes[0][:30]}... does not verify the password that was sent.",
        "the hash of the password from the request",
    )


async def test_form_login_returns_token_with_string_sub_and_exp(
    auth: WiredApp, teach: Teach
) -> None:
    user = await sign_up(auth, "ada", teach)
    claims = signed_claims(await login_token(auth, "ada", teach), teach)
    assert_string_sub(claims, user, teach, "PyJWT 2.10+ rejects a non-string `sub` when it decodes")
    exp = claims.get("exp")
    now = time.time()
    assert isinstance(exp, int | float) and now < exp <= now + MAX_LIFETIME, teach(
        f"The token's `exp` claim is {exp!r}{exp_said(exp, now)}",
        "an `exp` a few minutes ahead (at most a day), from settings.access_token_minutes",
    )


async def timed_login(wired: WiredApp, username: str) -> tuple[Response, float]:
    """The answer, and the CPU time this process spent on it: the app runs in-process (worker
    threads included), and CPU time is not inflated by other programs on a busy machine."""
    start = time.process_time()
    response = await log_in(wired, username, "not the password")
    return response, time.process_time() - start


async def measure(wired: WiredApp, wrong: list[float], unknown: list[float]) -> float:
    """One more round of interleaved logins; the ratio of the cheapest of all rounds so far."""
    for _ in range(PAIRS):
        wrong.append((await timed_login(wired, "ada"))[1])
        unknown.append((await timed_login(wired, "nobody"))[1])
    return min(unknown) / min(wrong)


async def test_unknown_user_and_wrong_password_look_alike(auth: WiredApp, teach: Teach) -> None:
    await sign_up(auth, "ada", teach)
    wrong, _ = await timed_login(auth, "ada")  # also warms up: a lazily built dummy hash, say
    unknown, _ = await timed_login(auth, "nobody")
    if wrong.status_code == 422:
        raise AssertionError(login_failed(wrong, teach, "401 for a wrong password"))
    assert wrong.status_code in (400, 401), teach(
        f"POST /token with a wrong password answered {wrong.status_code}: {wrong.text[:200]}",
        "401 Unauthorized (400 is what RFC 6749 says; either, but the same for every failure)",
    )
    assert (unknown.status_code, unknown.text) == (wrong.status_code, wrong.text), teach(
        f"A wrong password got {wrong.status_code} {wrong.text}, an unknown username got "
        f"{unknown.status_code} {unknown.text}: an attacker learns which usernames exist.",
        'one identical answer for both, e.g. 401 "Incorrect username or password"',
    )
    wrong_times: list[float] = []
    unknown_times: list[float] = []
    ratio = await measure(auth, wrong_times, unknown_times)
    if not LOW <= ratio <= HIGH:  # a hiccup (a garbage collection)? more samples, then judge
        ratio = await measure(auth, wrong_times, unknown_times)
    wrong_time, unknown_time = min(wrong_times), min(unknown_times)
    rounds = f"CPU time, cheapest of {len(wrong_times)} each, x{ratio:.2f}"
    assert ratio >= LOW, teach(
        f"An unknown username was refused after {unknown_time * 1000:.1f} ms of work, a wrong "
        f"password after {wrong_time * 1000:.1f} ms ({rounds}): the response time tells "
        "which usernames exist.",
        "verify the password against a dummy hash, made by the same hasher, when the user "
        "does not exist; one verification on each path",
    )
    assert ratio <= HIGH, teach(
        f"An unknown username costs {unknown_time * 1000:.1f} ms of work, a wrong password "
        f"{wrong_time * 1000:.1f} ms ({rounds}): the slower answer gives the unknown "
        "usernames away as well.",
        "the same work on both paths: one verification, against a dummy hash made by the same "
        "hasher with the same parameters, computed once (not on every request)",
    )
