"""The room's state, computed from the events: who is where, what passes, what fails now."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fastlings.dashboard.models import Event, Learner
from fastlings.dashboard.schemas import LearnerOut, Room


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def room(db: AsyncSession) -> Room:
    learners = list(await db.scalars(select(Learner).order_by(Learner.name)))
    newest = select(func.max(Event.id)).group_by(Event.learner_id)
    latest = {e.learner_id: e for e in await db.scalars(select(Event).where(Event.id.in_(newest)))}
    rows = []
    failing: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    now = datetime.now(UTC)
    for learner in learners:
        event = latest.get(learner.id)
        if event is None:
            rows.append(
                LearnerOut(
                    name=learner.name,
                    current_exercise=None,
                    passed=None,
                    seconds_on_exercise=None,
                    first_failure=None,
                    headline=None,
                    last_seen=None,
                )
            )
            continue
        left_before = await db.scalar(
            select(func.coalesce(func.max(Event.id), 0)).where(
                Event.learner_id == learner.id, Event.exercise != event.exercise
            )
        )
        started = await db.scalar(
            select(func.min(Event.at)).where(
                Event.learner_id == learner.id, Event.id > (left_before or 0)
            )
        )
        since = (now - _aware(started)).total_seconds() if started else None
        rows.append(
            LearnerOut(
                name=learner.name,
                current_exercise=event.exercise,
                passed=event.passed,
                seconds_on_exercise=round(since, 1) if since is not None else None,
                first_failure=event.first_failure,
                headline=event.headline,
                last_seen=_aware(event.at),
            )
        )
        if not event.passed:
            failing.update(f"{event.exercise}::{name}" for name in set(event.failing_checks))
            if event.first_failure:
                firsts[f"{event.exercise}::{event.first_failure}"] += 1
    passed = await db.execute(
        select(Event.exercise, func.count(distinct(Event.learner_id)))
        .where(Event.passed.is_(True))
        .group_by(Event.exercise)
    )
    return Room(
        learners=rows,
        passed_by_exercise={exercise: count for exercise, count in passed.all()},
        failing_by_check=dict(failing.most_common()),
        common_first_failures=firsts.most_common(5),
    )
