"""Background jobs of on-call: escalate unacknowledged pages, keep weekly patterns planned."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import daily, every, job
from dnscert.directory.oncall import rotas, services


@job("oncall.escalate", schedule=every(minutes=1))
def escalate() -> dict[str, Any]:
    """Escalate every page whose level ran out of time (and expire the oldest)."""
    moved = services.escalate_due()
    return {"escalated": [page.pk for page in moved]}


@job("oncall.extend_shifts", schedule=daily(hour=1, minute=15))
def extend_shifts() -> dict[str, int]:
    """Expand the weekly patterns so shifts always reach four weeks ahead."""
    return {"shifts_created": rotas.extend_all_patterns()}
