"""Background jobs of sharing: the automatic sharing of CLEAR and GREEN sources."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import every, job
from dnscert.sharing import services


@job("sharing.auto_share", schedule=every(minutes=15))
def auto_share() -> dict[str, Any]:
    """Share (or bring up to date) TLP:CLEAR and TLP:GREEN sources when enabled."""
    shares = services.auto_share()
    return {"shares": [str(share.uuid) for share in shares]}
