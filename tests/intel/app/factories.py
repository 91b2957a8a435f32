"""Factories for the intel storage tests: feeds, registrations, directory organisations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Organisation, Zone
from dnscert.intel import feed_admin, registrations
from dnscert.intel.models import Feed
from tests.personas import make_org

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


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
