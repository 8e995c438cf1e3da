from lessons.examples.ch11_authentication.staff_passwords import (
    enrol,
    secret_matches,
    staff_hasher,
)


def test_the_hash_is_argon2id_with_its_parameters_inside() -> None:
    account = enrol("lin@bookshop.example", "a long staff secret")
    assert account.secret_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "a long staff secret" not in account.secret_hash
    assert secret_matches(account, "a long staff secret")
    assert not secret_matches(account, "a long staff secret!")


def test_the_same_secret_gets_a_new_salt_every_time() -> None:
    assert staff_hasher.hash("same secret") != staff_hasher.hash("same secret")
