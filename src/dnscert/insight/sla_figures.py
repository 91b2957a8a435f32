"""SLA figures of one incident: time to acknowledge, to first action and to resolve.

The clocks and per-severity targets are the incidents app's (:mod:`dnscert.incidents.sla`);
a report shows each clock that has stopped with its verdict, and a running one without.
"""

from __future__ import annotations

from typing import Any

from dnscert.incidents import sla
from dnscert.incidents.models import Incident


def figures(incident: Incident) -> list[dict[str, Any]]:
    """One row per clock: seconds taken (None while running), target seconds, met or not."""
    rows = []
    for clock in sla.clocks(incident):
        stopped = clock.stopped_at is not None
        rows.append(
            {
                "measure": clock.name,
                "seconds": int(clock.elapsed.total_seconds()) if stopped else None,
                "target_seconds": int(clock.target.total_seconds()),
                "met": (not clock.breached) if stopped else None,
            }
        )
    return rows
