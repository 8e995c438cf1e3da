"""Pydantic v2 models in and out. Every string a learner sends is bounded and checked."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")]
Line = Annotated[str, StringConstraints(max_length=300, pattern=r"^[^\x00-\x08\x0a-\x1f\x7f]*$")]


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    join_code: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    name: Name


class JoinOut(BaseModel):
    name: str
    token: str


class EventIn(BaseModel):
    """What a learner's loop sends after each run: names and a headline, never code or paths."""

    model_config = ConfigDict(extra="forbid")
    exercise: Slug
    passed: bool
    passed_checks: list[Slug] = Field(default_factory=list, max_length=200)
    failing_checks: list[Slug] = Field(default_factory=list, max_length=200)
    first_failure: Slug | None = None
    headline: Line | None = None
    duration: float = Field(ge=0, le=3600)
    version: Annotated[str, StringConstraints(max_length=40, pattern=r"^[\w.+-]*$")]

    @model_validator(mode="after")
    def _consistent(self) -> EventIn:
        if self.passed and self.failing_checks:
            raise ValueError("a run that passed has no failing checks")
        return self


class EventOut(BaseModel):
    id: int
    at: datetime


class LearnerOut(BaseModel):
    name: str
    current_exercise: str | None
    passed: bool | None
    """Whether the last run of the current exercise passed."""
    seconds_on_exercise: float | None
    first_failure: str | None
    headline: str | None
    last_seen: datetime | None


class Room(BaseModel):
    learners: list[LearnerOut]
    passed_by_exercise: dict[str, int]
    """How many learners have passed each exercise at least once."""
    failing_by_check: dict[str, int]
    """How many learners are failing each check right now (their latest run)."""
    common_first_failures: list[tuple[str, int]]
