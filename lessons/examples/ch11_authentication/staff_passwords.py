"""Worked example for lessons/ch11_authentication.md § 11.1: storing staff passwords.

A bookshop's staff accounts. The password is never stored: only an Argon2id hash, salted at
random and slow to compute on purpose, whose parameters travel inside the hash string.
"""

from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# OWASP's first Argon2id configuration: 19 MiB of memory, 2 passes, 1 lane.
staff_hasher = PasswordHash((Argon2Hasher(memory_cost=19456, time_cost=2, parallelism=1),))

# pwdlib's default, stronger and slower (64 MiB, 3 passes, 4 lanes): a fine choice in production.
default_hasher = PasswordHash.recommended()


@dataclass
class StaffAccount:
    email: str
    secret_hash: str  # "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"


def enrol(email: str, secret: str) -> StaffAccount:
    return StaffAccount(email=email, secret_hash=staff_hasher.hash(secret))


def secret_matches(account: StaffAccount, secret: str) -> bool:
    # verify() reads the salt and the parameters from the stored string itself.
    return staff_hasher.verify(secret, account.secret_hash)
