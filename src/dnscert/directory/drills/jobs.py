"""Background job of drills: close the running drills whose window and late period passed."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import every, job
from dnscert.directory.drills import services


@job("drills.close_due", schedule=every(minutes=5))
def close_due() -> dict[str, Any]:
    """Close every drill past its window and late period, fixing the probes' outcomes."""
    return {"closed": [drill.reference for drill in services.close_due()]}
