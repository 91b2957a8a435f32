"""Fixtures of the sharing tests: a platform keyring, incidents with indicators, tokens."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from dnscert.core.choices import TLP
from dnscert.core.models import ApiToken
from dnscert.directory.models import Organisation
from dnscert.incidents import services as incident_services
from dnscert.incidents.models import Incident
from tests.personas import make_org, member, staff


@pytest.fixture(scope="session")
def sharing_pgp_home() -> Iterator[Path]:
    """A short-lived platform keyring (the key is made on first use)."""
    home = Path(tempfile.mkdtemp(prefix="dnscert-shr-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield home
    finally:
        env = {**os.environ, "GNUPGHOME": str(home)}
        subprocess.run(["gpgconf", "--kill", "all"], env=env, check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(autouse=True)
def sharing_settings(settings: Settings, sharing_pgp_home: Path) -> None:
    """Sign with the session key, hash passwords fast, a known site URL."""
    settings.DNSCERT_GNUPG_HOME = str(sharing_pgp_home)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://cert.example"


def incident_with_indicators(
    tlp: str = TLP.AMBER,
    orgs: list[Organisation] | None = None,
    values: dict[str, list[str]] | None = None,
    title: str = "Delegation hijack of shop.xa",
) -> Incident:
    """An incident with the given participants and indicators."""
    incident = incident_services.create_incident(
        title=title,
        summary="NS records point to unknown servers.",
        category="delegation-hijack",
        severity="high",
        tlp=tlp,
        by=None,
    )
    for org in orgs or []:
        incident_services.add_participant(incident, org, by=None, notify=False)
    default = {
        "domain": ["shop.xa"],
        "nameserver": ["ns1.evil-dns.test"],
        "ip": ["192.0.2.66", "2001:db8::66"],
        "url": ["http://www.shop.xa/login?x='1'"],
        "email": ["phish@evil-dns.test"],
        "registrar_id": ["9999"],
    }
    for kind, kind_values in (values or default).items():
        for value in kind_values:
            incident_services.add_indicator(incident, kind=kind, value=value, by=None)
    return incident


@dataclass
class World:
    """Two organisations with a member each, a staff analyst, and their API tokens."""

    org_a: Organisation
    org_b: Organisation
    member_a: Any
    member_b: Any
    analyst: Any
    token_a: str
    token_b: str
    token_staff: str


@pytest.fixture
def world(db: Any) -> World:
    org_a, org_b = make_org(name="Registry A"), make_org(name="Registry B")
    member_a, member_b, analyst = member(org_a), member(org_b), staff()
    return World(
        org_a,
        org_b,
        member_a,
        member_b,
        analyst,
        ApiToken.issue(member_a, "taxii")[1],
        ApiToken.issue(member_b, "taxii")[1],
        ApiToken.issue(analyst, "taxii")[1],
    )
