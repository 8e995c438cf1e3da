"""Checks shared by the chapter 19 checks files (here, so pytest rewrites their asserts like
those of the checks themselves); the Alembic plumbing is in `_alembic.py`."""

from alembic.config import Config
from sqlalchemy import MetaData

from checks.ch19_migrations._alembic import described, drift, upgrade
from fastlings.testing import Teach


def upgraded(
    teach: Teach,
    expected: str,
    config: Config,
    *,
    observed: str = "`alembic upgrade head` on a fresh database failed: {failed}.",
) -> Config:
    """`config` after `alembic upgrade head`, or a failed check: `observed` (formatted with the
    error as `failed`) says what happened, `expected` what the pattern expects."""
    failed = upgrade(config)
    assert failed is None, teach(observed.format(failed=failed), expected)
    return config


def assert_no_drift(db_url: str, metadata: MetaData, teach: Teach, expected: str) -> None:
    """After the upgrade, autogenerate finds no difference between the database and `metadata`."""
    diffs = drift(db_url, metadata)
    assert not diffs, teach(
        f"After `alembic upgrade head`, autogenerate finds {len(diffs)} difference(s) between "
        f"the database and the models: {described(diffs)}.",
        expected,
    )
