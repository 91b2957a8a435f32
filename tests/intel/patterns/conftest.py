"""Fixtures of the pattern tests: a platform keyring, registries with 24x7 contacts, events.

E-mails are really signed (gpg) and really sent to the ``smtp_server`` listener; the keyring
lives in a short directory under /tmp for the session (gpg-agent socket paths are limited).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Contact, Organisation, Zone
from dnscert.intel.models import Event, Feed
from tests.personas import make_org


@pytest.fixture(scope="session")
def patterns_pgp_home() -> Iterator[Path]:
    """The platform keyring of this session (the key is made on first use)."""
    home = Path(tempfile.mkdtemp(prefix="dc-pat-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "all"], check=False, capture_output=True
        )
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def patterns_settings(settings: Settings, patterns_pgp_home: Path) -> None:
    settings.DNSCERT_GNUPG_HOME = str(patterns_pgp_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://dnscert.example"


def registry(tld: str, *, language: str = "en", name: str | None = None) -> Organisation:
    """A TLD registry with the TLD's zone and one 24x7 role mailbox speaking ``language``."""
    kind = OrganisationKind.CCTLD_REGISTRY if len(tld) == 2 else OrganisationKind.GTLD_REGISTRY
    org = make_org(kind, name or f"Registry of .{tld}")
    Zone.objects.create(name=f"{tld}.", kind=ZoneKind.TLD, organisation=org)
    add_contact(org, f"noc@nic.{tld}.example", language)
    return org


def add_contact(
    org: Organisation, email: str, language: str = "en", is_24x7: bool = True
) -> Contact:
    return Contact.objects.create(
        organisation=org,
        name=f"NOC {email}",
        email=email,
        is_role_mailbox=True,
        is_24x7=is_24x7,
        languages=[language],
    )


def registrar(iana_id: int, name: str, language: str = "en") -> Organisation:
    """A registrar with an IANA id and one 24x7 contact."""
    org = make_org(OrganisationKind.REGISTRAR, name)
    org.iana_id = iana_id
    org.save(update_fields=["iana_id"])
    add_contact(org, f"abuse@registrar{iana_id}.example", language)
    return org


_feed: dict[str, Feed] = {}


def feed() -> Feed:
    found, _ = Feed.objects.get_or_create(name="test-feed", defaults={"parser": "generic_csv"})
    return found


def event(
    domain: str,
    *,
    at: datetime,
    iana_id: int | None = None,
    registrar_name: str = "",
    created_days_before: int | None = None,
    category: str = "phishing",
    **fields: Any,
) -> Event:
    """One stored abuse event about ``domain`` (registrable domain, TLD from its last label)."""
    created = at - timedelta(days=created_days_before) if created_days_before is not None else None
    return Event.objects.create(
        time_source=at,
        time_observation=at,
        feed=feed(),
        classification_taxonomy="fraud",
        classification_type=category,
        source_fqdn=domain,
        source_domain=domain,
        source_tld=domain.rsplit(".", 1)[-1],
        registrar_name=registrar_name,
        registrar_iana_id=iana_id,
        domain_created_at=created,
        raw=f"{at.isoformat()},{domain}",
        **fields,
    )


def days_ago(days: int, hour: int = 12) -> datetime:
    """Noon UTC ``days`` days before today."""
    today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days)
