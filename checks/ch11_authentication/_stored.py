"""Chapter 11 helper: what the database holds after a sign-up, read as a thief would."""

import re

from sqlalchemy import select

from checks.ch11_authentication._auth import PASSWORD
from fastlings.testing import WiredApp


async def stored_strings(wired: WiredApp) -> list[str]:
    """Every string value in every table of the learner's metadata."""
    values: list[str] = []
    async with wired.engine.connect() as conn:
        for table in wired.module.Base.metadata.sorted_tables:
            for row in (await conn.execute(select(table))).all():
                values += [value for value in row if isinstance(value, str)]
    return values


def describe_stored(value: str) -> str:
    if value == PASSWORD:
        return "the password itself, in plain text"
    if re.fullmatch(r"[0-9a-f]{32,128}", value):
        return f"a {len(value) * 4}-bit hex digest ({value[:16]}...): fast and unsalted"
    if value.startswith(("$2a$", "$2b$", "$2y$")):
        return f"a bcrypt hash ({value[:7]}...)"
    if value.startswith("$argon2"):
        return f"an Argon2 hash of another variant ({value[:10]}...)"
    return repr(value[:40])
