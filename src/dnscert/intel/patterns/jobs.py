"""Background jobs of the pattern detectors: DGA campaign generation, daily concentration."""

from __future__ import annotations

from datetime import date
from typing import Any

from dnscert.core.jobs import daily, job
from dnscert.intel.patterns import alerts, campaigns
from dnscert.intel.patterns.concentration import make_window


@job("intel_patterns.generate_campaign", max_attempts=1)
def generate_campaign(*, campaign_id: int) -> dict[str, Any]:
    """Compute a DGA campaign's domains and store its per-registry lists."""
    campaign = campaigns.generate_campaign(campaign_id)
    return {
        "campaign": campaign.pk,
        "status": campaign.status,
        "domains": campaign.domain_count,
        "lists": campaign.lists.count(),
    }


@job("intel_patterns.detect_concentration", schedule=daily(hour=4, minute=15))
def detect_concentration(*, last_day: str = "") -> dict[str, Any]:
    """Compute the concentration over the default window and raise the alerts due."""
    window = make_window(last_day=date.fromisoformat(last_day) if last_day else None)
    raised = alerts.detect(window)
    return {
        "window": [window.start.isoformat(), window.last_day.isoformat()],
        "alerts": [a.pk for a in raised],
    }
