"""What can be shared, read from its source: an incident's indicators, a DGA registry list,
a day of intel events. Each becomes a :class:`Source`, the one shape the STIX, TAXII and MISP
builders read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dnscert.core.choices import TLP, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.models import Organisation
from dnscert.incidents.models import Incident
from dnscert.intel.models import Event, Feed
from dnscert.intel.patterns import blobs
from dnscert.intel.patterns.models import RegistryList
from dnscert.sharing import conf
from dnscert.sharing.choices import SourceKind
from dnscert.sharing.stix import pattern, stix_time


@dataclass
class Source:
    """One shareable source: its key, TLP label, audience and indicator items."""

    kind: str
    key: str
    title: str
    tlp: TLP
    description: str = ""
    severity: str = Severity.MEDIUM
    labels: list[str] = field(default_factory=list)
    items: list[dict[str, str]] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    incident: Incident | None = None
    registry_list: RegistryList | None = None


def _item(kind: str, value: str, seen: datetime) -> dict[str, str]:
    return {"kind": kind, "value": value, "seen": stix_time(seen)}


def _check_size(items: list[dict[str, str]]) -> list[dict[str, str]]:
    limit = conf.max_indicators()
    if len(items) > limit:
        raise InvalidInput(
            "items",
            f"{len(items)} indicators, more than DNSCERT_SHARING_MAX_INDICATORS={limit}",
        )
    return items


def _label(tlp: str | None, default: str) -> TLP:
    try:
        return TLP.parse(tlp or default)
    except ValueError as error:
        raise InvalidInput("tlp", str(error)) from None


def from_incident(incident: Incident, tlp: str | None = None) -> Source:
    """The indicators of ``incident`` that have a STIX observable, under its TLP label."""
    items = [
        _item(ind.kind, ind.value, ind.created_at)
        for ind in incident.indicators.all()
        if pattern(ind.kind, ind.value) is not None
    ]
    if not items:
        raise InvalidInput("incident", f"{incident.reference} has no shareable indicator")
    orgs = {p.organisation for p in incident.participants.select_related("organisation")}
    orgs.update(incident.recipient_organisations.all())
    if incident.owner_organisation is not None:
        orgs.add(incident.owner_organisation)
    return Source(
        kind=SourceKind.INCIDENT,
        key=f"incident:{incident.pk}",
        title=f"{incident.reference}: {incident.title}",
        tlp=_label(tlp, incident.tlp),
        description=incident.summary,
        severity=incident.severity,
        labels=["dnscert", incident.category],
        items=_check_size(items),
        organisations=sorted(orgs, key=lambda org: org.pk),
        incident=incident,
    )


def from_registry_list(registry_list: RegistryList, tlp: str | None = None) -> Source:
    """The domains of one DGA registry list, one indicator each."""
    campaign = registry_list.campaign
    period = f"{campaign.start_date}..{campaign.end_date}"
    items = []
    for day, domain in blobs.iter_rows(registry_list.rows):
        items.append(
            _item("domain", domain, datetime.combine(date.fromisoformat(day), time(), UTC))
        )
        _check_size(items)
    orgs = set(registry_list.recipient_organisations.all())
    if registry_list.organisation is not None:
        orgs.add(registry_list.organisation)
    return Source(
        kind=SourceKind.DGA_LIST,
        key=f"dga_list:{registry_list.pk}",
        title=f"DGA {campaign.family} .{registry_list.tld} {period}",
        tlp=_label(tlp, registry_list.tlp),
        description=f"Domains the {campaign.family} DGA generates under .{registry_list.tld}.",
        severity=Severity.HIGH,
        labels=["dga", campaign.family],
        items=items,
        organisations=sorted(orgs, key=lambda org: org.pk),
        registry_list=registry_list,
    )


def _event_items(event: Event) -> list[dict[str, str]]:
    seen = event.time_source
    items = []
    if event.source_fqdn:
        items.append(_item("domain", event.source_fqdn, seen))
    if event.source_url:
        items.append(_item("url", event.source_url, seen))
    if event.source_ip:
        items.append(_item("ip", str(event.source_ip), seen))
    return items


def from_intel(
    *, feed: Feed, day: date, classification_type: str = "", tlp: str | None = None
) -> Source:
    """The events of ``feed`` of ``day`` (UTC, optionally of one type), de-duplicated."""
    start = datetime.combine(day, time(), UTC)
    end = start + timedelta(days=1)
    events = Event.objects.filter(feed=feed, time_source__gte=start, time_source__lt=end)
    events = events.order_by("time_source", "id")
    if classification_type:
        events = events.filter(classification_type=classification_type)
    items: dict[tuple[str, str], dict[str, str]] = {}
    for event in events.iterator():
        for item in _event_items(event):
            items.setdefault((item["kind"], item["value"]), item)
            if len(items) > conf.max_indicators():
                _check_size(list(items.values()))
    if not items:
        raise InvalidInput("day", f"feed {feed.name} has no event with an indicator on {day}")
    type_part = f" {classification_type}" if classification_type else ""
    return Source(
        kind=SourceKind.INTEL,
        key=f"intel:{feed.pk}:{day.isoformat()}:{classification_type}",
        title=f"{feed.name}{type_part} {start:%Y-%m-%d}",
        tlp=_label(tlp, conf.intel_tlp()),
        description=f"Indicators from the {feed.name} feed observed on {day.isoformat()}.",
        labels=["intel", *([classification_type] if classification_type else [])],
        items=list(items.values()),
    )


def describe(source: Source) -> dict[str, Any]:
    """A short summary of ``source`` for audit rows."""
    return {"source": source.key, "tlp": source.tlp.value, "items": len(source.items)}
