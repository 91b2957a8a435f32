"""Demo sharing (``dnscert demo-sharing``), idempotent: the demo incidents' indicators, one
DGA list of the demo campaign and the newest day of demo intel events.

Shares are keyed by their source, so running again brings them up to date instead of
duplicating them. The DGA list is shared as TLP:CLEAR: the domains come from a published
algorithm, and the demo registries do not run the TLDs Conficker generates.
"""

from __future__ import annotations

from datetime import UTC

from django.db import transaction

from dnscert.core.choices import TLP
from dnscert.core.exceptions import DnscertError, InvalidInput
from dnscert.incidents.models import Incident
from dnscert.intel.models import Event
from dnscert.intel.patterns.models import RegistryList
from dnscert.sharing import services
from dnscert.sharing.models import Share


class DemoDataMissing(DnscertError):
    """The demo incidents (or patterns) must be loaded first."""


def load_demo_sharing() -> list[Share]:
    """Share the demo incidents' indicators (not RED) and the smallest demo DGA list."""
    incidents = Incident.objects.exclude(tlp=TLP.RED).filter(indicators__isnull=False).distinct()
    if not incidents.exists():
        raise DemoDataMissing("no incident with indicators: run 'dnscert demo-incidents' first")
    shares = []
    with transaction.atomic():
        for incident in incidents.order_by("pk"):
            try:
                shares.append(services.share_incident(incident, by=None))
            except InvalidInput:
                continue  # AMBER without participants: nobody to address it to
        registry_list = (
            RegistryList.objects.filter(domain_count__gt=0)
            .defer("rows")
            .order_by("domain_count", "pk")
            .first()
        )
        if registry_list is not None:
            shares.append(services.share_registry_list(registry_list, by=None, tlp=TLP.CLEAR))
        shares.extend(_intel_day())
    return shares


def _intel_day() -> list[Share]:
    """The newest day of the demo feed with the most events, as TLP:GREEN (if any)."""
    newest = Event.objects.order_by("-time_source").select_related("feed").first()
    if newest is None:
        return []
    try:
        day = newest.time_source.astimezone(UTC).date()
        return [services.share_intel(feed=newest.feed, day=day, by=None, tlp=TLP.GREEN)]
    except InvalidInput:
        return []  # more indicators that day than DNSCERT_SHARING_MAX_INDICATORS allows
