"""Background job of exercises: deliver the injects whose time has come."""

from __future__ import annotations

from datetime import datetime

from dnscert.core.jobs import every, job
from dnscert.exercises import services


@job("exercises.deliver_due", schedule=every(minutes=1))
def deliver_due(*, now: str = "") -> dict[str, list[int]]:
    """Deliver every due inject of every running exercise (paused and ended ones hold theirs).

    ``now`` (ISO 8601 with offset) runs the clock at another instant, for tests and drills.
    """
    moment = datetime.fromisoformat(now) if now else None
    return {"delivered": [inject.pk for inject in services.deliver_due(moment)]}
