"""Demo data of the pattern detectors: one Conficker.B campaign and a concentration run.

Idempotent: the campaign is created once (recognised by its note) and the concentration
detection, over the week ending with the newest event, raises each alert once per window.
The demo directory's TLDs are reserved names that Conficker.B never generates, so the
campaign's TLDs show up as uncovered unless the directory holds one of them.
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

from django.db.models import Max

from dnscert.intel.dga.base import get
from dnscert.intel.models import Event
from dnscert.intel.patterns import alerts, campaigns
from dnscert.intel.patterns.concentration import make_window, today
from dnscert.intel.patterns.models import DgaCampaign

DEMO_NOTE = "Demo campaign: Conficker.B for the first week of 2020."
DEMO_FAMILY = "conficker-b"
DEMO_START = date(2020, 1, 1)
DEMO_END = date(2020, 1, 7)


def _last_event_day() -> date | None:
    """The day of the newest event (not after today), so old demo events are looked at too."""
    newest = Event.objects.aggregate(newest=Max("time_source"))["newest"]
    return min(newest.astimezone(UTC).date(), today()) if newest else None


def load_demo_patterns() -> dict[str, Any]:
    """Create the demo campaign if missing, generate it, and run the concentration detection."""
    campaign = DgaCampaign.objects.filter(note=DEMO_NOTE).first()
    created = campaign is None
    if campaign is None:
        campaign = campaigns.create_campaign(
            family=DEMO_FAMILY, start=DEMO_START, end=DEMO_END, by=None, note=DEMO_NOTE
        )
    campaign = campaigns.generate_campaign(campaign.pk)
    summary = campaigns.coverage_summary(campaign)
    raised = alerts.detect(make_window(last_day=_last_event_day()))
    return {
        "campaign": campaign.pk,
        "campaign_created": created,
        "tlds": len(get(DEMO_FAMILY).tlds),
        "tlds_with_registry": summary.lists,
        "uncovered_tlds": summary.uncovered_tlds,
        "alerts_raised": len(raised),
    }
