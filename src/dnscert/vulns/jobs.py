"""Background jobs of vulnerability coordination: the embargo clock."""

from __future__ import annotations

from datetime import datetime

from dnscert.core.jobs import every, job
from dnscert.vulns import embargo


@job("vulns.embargo_tick", schedule=every(minutes=5))
def embargo_tick(*, now: str = "") -> dict[str, int]:
    """Send due embargo reminders, flag silent vendors, publish cases whose embargo passed.

    ``now`` (ISO 8601 with offset) runs the clock at another instant, for drills and tests.
    """
    moment = datetime.fromisoformat(now) if now else None
    return embargo.tick(moment)
