"""Worked example for chapter 19: the bookshop's models, as they are after revision b0002."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    isbn: Mapped[str] = mapped_column(String(17), unique=True)  # b0002: 13 -> 17 (hyphens)
    title: Mapped[str] = mapped_column(String(300))
    price_cents: Mapped[int] = mapped_column(server_default="0")  # b0002: was `price`
