"""Factories for the intel storage tests: feeds, registrations, directory organisations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Organisation, Zone
from dnscert.intel import feed_admin, registrations, rows
from dnscert.intel.models import Feed, IngestRun
from tests.personas import make_org

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
#: The time of the events :func:`event_row` makes.
EVENT_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def feed(name: str = "mixed", parser: str = "plain", **values: Any) -> Feed:
    """A feed created through the service."""
    return feed_admin.create_feed(by=None, name=name, parser=parser, **values)


def registry(tld: str, name: str | None = None) -> Organisation:
    """A registry organisation running ``tld``."""
    org = make_org(OrganisationKind.CCTLD_REGISTRY, name or f"Registry {tld.upper()}")
    Zone.objects.create(name=f"{tld}.", kind=ZoneKind.TLD, organisation=org)
    return org


def registrar(iana_id: int, name: str) -> Organisation:
    """A registrar organisation with an IANA id."""
    org = make_org(OrganisationKind.REGISTRAR, name)
    org.iana_id = iana_id
    org.save()
    return org


def registration(domain: str, registrar_name: str, iana_id: int | None, created: datetime) -> None:
    """One registration row through the importer."""
    header = "domain,registrar,iana_id,created\n"
    row = f"{header}{domain},{registrar_name},{iana_id or ''},{created.isoformat()}\n"
    result = registrations.import_text(row)
    assert result.error_count == 0, result.errors


def lines(*texts: str) -> list[bytes]:
    """Feed lines as bytes."""
    return [f"{text}\n".encode() for text in texts]


def event_row(run: IngestRun, number: int, asn: int | None = 64500) -> list[Any]:
    """The database row of a phishing event on ``host<number>.xa`` of ``run``, as the storage
    service gets it; its URL and raw line hold a tab, a backslash and a line break."""
    event = {
        "time.source": EVENT_TIME.isoformat(),
        "time.observation": EVENT_TIME.isoformat(),
        "feed.name": run.feed.name,
        "classification.taxonomy": "fraud",
        "classification.type": "phishing",
        "source.fqdn": f"host{number}.xa",
        "source.registered_domain": f"host{number}.xa",
        "source.tld": "xa",
        "source.url": f"http://host{number}.xa/a\tb\\c",
        "raw": f"line {number}\twith a tab\nand a line break",
    }
    row = rows.to_row(event, run.feed_id, run.pk)
    row[rows.ASN] = asn
    return row
