"""Diagnoses of password hashing and token errors the app let escape (pwdlib, PyJWT)."""

from __future__ import annotations

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations

# PyJWT's exceptions, all subclasses of `jwt.PyJWTError` (InvalidTokenError is the one above
# the token errors).
PYJWT_ERRORS = {
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingRequiredClaimError",
}


def token_error_escaped(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type in PYJWT_ERRORS:
            return [
                Diagnosis(
                    "token_error_escaped",
                    f"The app raised {r.type}{_at(r)}: {_said(r, 160)}. PyJWT refused the "
                    "token, and nothing caught that, so FastAPI answered 500.",
                    "every way a token can be bad is a subclass of `jwt.PyJWTError`: catch that "
                    "around `jwt.decode(...)` and raise the 401 (with `WWW-Authenticate: "
                    "Bearer`).",
                    "ch11_authentication",
                )
            ]
    return []


def unknown_hash(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type == "UnknownHashError":
            return [
                Diagnosis(
                    "unknown_hash",
                    f"The app raised UnknownHashError{_at(r)}: {_said(r, 160)} pwdlib could not "
                    "tell which hasher made the value it was given as the hash: either the "
                    "arguments are the other way round, or that value is not a hash this "
                    "`PasswordHash` makes.",
                    "`password_hash.verify(password, stored_hash)`: the password first, then a "
                    "hash made by the same `PasswordHash` (`.hash(password)`).",
                    "ch11_authentication",
                )
            ]
    return []
