"""The MISP-compatible feed: one MISP event per share, built with pymisp.

A MISP instance subscribes to ``/misp-feed/`` (or to an organisation's feed with an API
token in an ``Authorization`` header) and reads ``manifest.json``, then each
``<uuid>.json``; ``hashes.csv`` lists ``md5(value),event-uuid`` for its correlation. TLP is
carried as the ``tlp:`` tags of the MISP taxonomy (TLP 2.0: ``tlp:clear``, ``tlp:amber+strict``).
Event, attribute and organisation uuids and timestamps are derived from the share, so the
feed is stable between requests and a MISP instance only fetches what changed.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from pymisp import MISPAttribute, MISPEvent, MISPOrganisation, MISPTag

from dnscert.core.choices import TLP, Severity
from dnscert.sharing.models import Share
from dnscert.sharing.stix import NAMESPACE

#: MISP attribute type and category of each indicator kind.
ATTRIBUTE_TYPES: dict[str, tuple[str, str]] = {
    "domain": ("domain", "Network activity"),
    "nameserver": ("hostname", "Network activity"),
    "ip": ("ip-dst", "Network activity"),
    "url": ("url", "Network activity"),
    "email": ("email-src", "Payload delivery"),
}

#: MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined.
THREAT_LEVELS: dict[str, int] = {
    Severity.CRITICAL: 1,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
    Severity.INFO: 4,
}


def tlp_tag(label: str) -> str:
    """The MISP taxonomy machine tag of a TLP label, e.g. ``tlp:amber+strict``."""
    return f"tlp:{TLP.parse(label).value.lower()}"


def platform_org() -> MISPOrganisation:
    """The creator organisation (``Orgc``) of every event."""
    org = MISPOrganisation()
    org.name = settings.SITE_NAME
    org.uuid = str(uuid.uuid5(NAMESPACE, f"misp-org:{settings.SITE_URL}"))
    return org


def _tag(label: str) -> MISPTag:
    tag = MISPTag()
    tag.from_dict(name=tlp_tag(label), colour=TLP.parse(label).colour, exportable=True)
    return tag


def event_for(share: Share) -> MISPEvent:
    """The MISP event of ``share``."""
    stamp = int(share.updated_at.timestamp())
    event = MISPEvent()
    event.uuid = str(share.uuid)
    event.info = share.title
    event.date = share.created_at.date()
    event.Orgc = platform_org()
    event.threat_level_id = THREAT_LEVELS.get(share.severity, 4)
    event.analysis = 2
    event.published = True
    event.timestamp = stamp
    event.publish_timestamp = stamp
    event.add_tag(_tag(share.tlp))
    for item in share.items:
        _add_attribute(event, share, item, stamp)
    return event


def _add_attribute(event: MISPEvent, share: Share, item: dict[str, str], stamp: int) -> None:
    mapping = ATTRIBUTE_TYPES.get(item["kind"])
    if mapping is None:
        return
    kind, category = mapping
    attribute = event.add_attribute(
        kind, item["value"], category=category, to_ids=True, comment=f"first seen {item['seen']}"
    )
    assert isinstance(attribute, MISPAttribute)
    attribute.uuid = str(uuid.uuid5(share.uuid, f"{item['kind']}|{item['value']}"))
    attribute.timestamp = stamp


def feed_entry(share: Share) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(event file content, manifest entry, attribute hashes) of ``share``."""
    document = event_for(share).to_feed(with_meta=True)
    body = document["Event"]
    hashes = body.pop("_hashes")
    manifest_entry = body.pop("_manifest")
    return {"Event": body}, manifest_entry, hashes


def manifest(shares: Iterable[Share]) -> dict[str, Any]:
    """``manifest.json``: event uuid -> summary."""
    entries: dict[str, Any] = {}
    for share in shares:
        entries.update(feed_entry(share)[1])
    return entries


def hashes_csv(shares: Iterable[Share]) -> str:
    """``hashes.csv``: ``md5(value),event-uuid`` a line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for share in shares:
        for digest in feed_entry(share)[2]:
            writer.writerow([digest, str(share.uuid)])
    return buffer.getvalue()
