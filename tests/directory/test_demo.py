"""The demo constituency: loads, uses reserved resources only, and is idempotent."""

from __future__ import annotations

import ipaddress
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dnscert.directory import lookups
from dnscert.directory.demo import DEMO_MEMBERS, DEMO_PASSWORD
from dnscert.directory.importexport import export_json
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Zone,
)

pytestmark = pytest.mark.django_db

DOCUMENTATION_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


def load() -> str:
    out = StringIO()
    call_command("demo-directory", stdout=out)
    return out.getvalue()


def directory_state() -> dict:
    document = export_json(None, Organisation.objects.all())
    document.pop("exported_at")
    return document


def test_it_loads_a_realistic_constituency() -> None:
    output = load()
    assert DEMO_PASSWORD in output
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds >= {
        "root_operator",
        "cctld_registry",
        "gtld_registry",
        "registrar",
        "dns_operator",
        "national_cert",
        "vendor",
        "researcher",
    }
    assert lookups.organisation_for_tld("xa").name == "Registre XA"  # type: ignore[union-attr]
    assert lookups.organisation_for_zone("www.shop.xa").short_name == "shop-hosting-xa"  # type: ignore[union-attr]
    assert lookups.registrar_by_iana_id(9001) is not None
    assert [v.short_name for v in lookups.vendors_for_product("resolvd")] == ["vendor-resolvd"]
    assert Contact.objects.exclude(pgp_fingerprint="").count() == 2
    assert Organisation.objects.get(short_name="cert-xa").clients.count() == 3
    user = get_user_model().objects.get(username="registry-xa")
    assert user.check_password(DEMO_PASSWORD)
    assert user.organisation.short_name == "registry-xa"
    assert get_user_model().objects.filter(username__in=[u for u, _ in DEMO_MEMBERS]).count() == 7


def test_it_uses_only_reserved_names_and_documentation_resources() -> None:
    load()
    for zone in Zone.objects.values_list("name", flat=True):
        assert zone == "." or zone.rstrip(".").split(".")[-1] in {"xa", "xb", "xc", "xd"}
    for host in NameserverHost.objects.all():
        assert host.hostname.rstrip(".").split(".")[-1] in {"test", "xa", "xb", "xc", "xd"}
        for address in host.addresses:
            assert any(ipaddress.ip_address(address) in n for n in DOCUMENTATION_NETWORKS)
    for prefix in NetworkPrefix.objects.values_list("prefix", flat=True):
        network = ipaddress.ip_network(prefix)
        assert any(
            network.version == n.version and network.subnet_of(n)  # type: ignore[arg-type]
            for n in DOCUMENTATION_NETWORKS
        )
    for asn in AutonomousSystem.objects.values_list("asn", flat=True):
        assert 64496 <= asn <= 64511 or 65536 <= asn <= 65551
    for email in Contact.objects.values_list("email", flat=True):
        assert email.endswith(".example")


def test_it_changes_nothing_when_run_again() -> None:
    load()
    before = directory_state()
    users = get_user_model().objects.count()
    output = load()
    assert "created: nothing; updated: nothing" in output
    assert directory_state() == before
    assert get_user_model().objects.count() == users
