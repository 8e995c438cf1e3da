"""What the gate found: one line per exercise, and every breach with where it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Printer = Callable[[str], None]


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)

    def breach(self, where: str, what: str) -> None:
        self.breaches.append(f"{where}: {what}")


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "no message"
