"""TLP: an AMBER advisory reaches only its audience, never the public page, the Atom feed,
the ROLIE feed or the provider directory; GREEN reaches the community; drafts only staff."""

from __future__ import annotations

import pytest
from django.test import Client

from dnscert.advisories import queries, services
from dnscert.advisories.choices import CsafCategory
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP
from dnscert.directory.models import Organisation
from tests.advisories import factories
from tests.personas import login_verified, make_org, member, outsider, staff

pytestmark = pytest.mark.django_db


def _amber(demo: list[str]) -> Advisory:
    return Advisory.objects.get(tlp=TLP.AMBER)


def test_amber_reaches_only_audience(client: Client, demo_advisories: list[str]) -> None:
    amber = _amber(demo_advisories)
    registries = set(services.audience_organisations(amber).values_list("short_name", flat=True))
    assert {"registry-xa", "registry-xb"} <= registries
    assert "vendor-resolvd" not in registries
    registry_member = member(Organisation.objects.get(short_name="registry-xa"))
    vendor_member = member(Organisation.objects.get(short_name="vendor-resolvd"))
    assert queries.may_read(registry_member, amber)
    assert not queries.may_read(vendor_member, amber)
    assert not queries.may_read(outsider(), amber)

    login_verified(client, registry_member)
    page = client.get("/advisories/").content.decode()
    assert amber.reference in page
    assert client.get(f"/advisories/{amber.reference}/").status_code == 200
    csaf = client.get(f"/advisories/{amber.reference}/csaf.json")
    assert (
        csaf.status_code == 200
        and csaf.json()["document"]["distribution"]["tlp"]["label"] == "AMBER"
    )
    api = client.get("/api/advisories/advisories/").json()
    assert amber.reference in {row["reference"] for row in api["results"]}

    mine = client.get("/advisories/", {"addressed": "1"}).content.decode()
    assert amber.reference in mine
    assert "KSK rollover" not in mine  # public, but not addressed to a registry

    login_verified(client, vendor_member)
    assert amber.reference not in client.get("/advisories/").content.decode()
    assert client.get(f"/advisories/{amber.reference}/").status_code == 404
    assert client.get(f"/advisories/{amber.reference}/csaf.json").status_code == 404
    assert client.get(f"/api/advisories/advisories/{amber.reference}/").status_code == 404
    assert client.get(f"/api/advisories/advisories/{amber.reference}/csaf/").status_code == 404


def test_amber_never_public(demo_advisories: list[str]) -> None:
    amber = _amber(demo_advisories)
    anonymous = Client()
    surfaces = [
        "/advisories/",
        "/advisories/feed.atom",
        "/.well-known/csaf/white/feed-tlp-white.json",
        "/.well-known/csaf/white/index.txt",
        "/.well-known/csaf/white/changes.csv",
        "/api/advisories/advisories/",
    ]
    for url in surfaces:
        body = anonymous.get(url).content.decode()
        assert amber.reference not in body, url
        assert amber.title not in body, url
    assert anonymous.get(f"/advisories/{amber.reference}/").status_code == 404
    # even a member of the audience does not make it appear in the public feeds
    login_verified(anonymous, member(Organisation.objects.get(short_name="registry-xa")))
    assert amber.reference not in anonymous.get("/advisories/feed.atom").content.decode()


def test_public_surfaces_show_clear(demo_advisories: list[str]) -> None:
    anonymous = Client()
    clear = Advisory.objects.filter(tlp=TLP.CLEAR, current_release__gte=1)
    feed = anonymous.get("/advisories/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    page = anonymous.get("/advisories/").content.decode()
    for advisory in clear:
        assert advisory.reference in page and advisory.reference in feed.content.decode()


def test_green_reaches_community_only() -> None:
    advisory = factories.published(
        factories.draft(tlp=TLP.GREEN, category=CsafCategory.INFORMATIONAL_ADVISORY)
    )
    assert queries.may_read(outsider(), advisory)
    assert not queries.readable(None).filter(pk=advisory.pk).exists()
    assert not queries.public().filter(pk=advisory.pk).exists()


def test_amber_strict_reaches_audience_not_clients() -> None:
    provider_org, client_org = make_org(name="Registry A"), make_org(name="Client A")
    provider_org.clients.add(client_org)
    strict = factories.published(
        factories.draft(
            tlp=TLP.AMBER_STRICT,
            category=CsafCategory.INFORMATIONAL_ADVISORY,
            named_organisations=[provider_org],
        )
    )
    amber = factories.published(
        factories.draft(
            tlp=TLP.AMBER,
            category=CsafCategory.INFORMATIONAL_ADVISORY,
            named_organisations=[provider_org],
        )
    )
    assert queries.may_read(member(provider_org), strict)
    assert not queries.may_read(member(client_org), strict)
    assert queries.may_read(member(client_org), amber)


def test_drafts_only_staff() -> None:
    advisory = factories.draft(tlp=TLP.CLEAR)
    assert not queries.readable(None).filter(pk=advisory.pk).exists()
    assert not queries.may_read(outsider(), advisory)
    assert queries.may_read(staff(), advisory)


def test_red_only_named_recipients() -> None:
    org = make_org()
    named, colleague = member(org), member(org)
    advisory = factories.draft(
        tlp=TLP.RED, category=CsafCategory.INFORMATIONAL_ADVISORY, named_organisations=[org]
    )
    advisory.named_recipients.add(named)
    factories.published(advisory)
    assert queries.may_read(named, advisory)
    assert not queries.may_read(colleague, advisory)


def test_audience_by_tld_and_product(demo_directory: None) -> None:
    product = factories.vendor_product("Knotty")
    advisory = factories.draft(
        tlp=TLP.AMBER,
        category=CsafCategory.INFORMATIONAL_ADVISORY,
        audience_tlds=[".XA"],
        audience_products=[product.pk],
    )
    names = set(services.audience_organisations(advisory).values_list("short_name", flat=True))
    assert "registry-xa" in names and product.vendor.short_name in names
    assert "registry-xb" not in names
    factories.published(advisory)
    assert set(advisory.audience_resolved.values_list("short_name", flat=True)) == names
