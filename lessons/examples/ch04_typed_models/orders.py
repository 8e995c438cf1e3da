"""Worked example for chapter 4: an orders table declared in the typed SQLAlchemy 2.0 style.

The lesson includes its parts; `test_ch04_orders.py` asks the database what the table enforces.
`LegacyOrder` is the same table written the pre-2.0 way, kept here to compare.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime, Integer, Numeric, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declarative_base, mapped_column


class Base(DeclarativeBase):
    """The 2.0 base: every model on it is visible to type checkers, attribute by attribute."""


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A reference customers quote on the phone: one order each, looked up all day long.
    reference: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    # Required: Mapped[...] without `| None` is NOT NULL.
    customer: Mapped[str] = mapped_column(String(100))
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # Optional: `| None` makes the column nullable, and tells every reader it may be missing.
    gift_message: Mapped[str | None] = mapped_column(Text)
    # The database stamps every row, whoever inserts it; the zone is kept on PostgreSQL.
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


LegacyBase = declarative_base()


class LegacyOrder(LegacyBase):  # type: ignore[misc, valid-type]
    """The same table, pre-2.0 style: every column nullable, the default only in Python."""

    __tablename__ = "legacy_orders"

    id = Column(Integer, primary_key=True)
    reference = Column(String(20))
    customer = Column(String(100))
    total = Column(Numeric(10, 2))
    gift_message = Column(Text)
    placed_at = Column(DateTime, default=datetime.now)
