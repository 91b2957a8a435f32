"""The team home page and the member portal: figures from the directory, in few queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from dnscert.core.models import AuditEvent, JobRun
from dnscert.directory.choices import OrganisationKind, ProductKind, ZoneKind
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)
from dnscert.web import dashboard
from tests.personas import login_verified, make_org, member, staff

pytestmark = pytest.mark.django_db


def add_contact(org: Organisation, name: str, *, on_call: bool, verified_days_ago: int | None):
    last_verified = (
        None
        if verified_days_ago is None
        else timezone.localdate() - datetime.timedelta(days=verified_days_ago)
    )
    return Contact.objects.create(
        organisation=org,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@{org.short_name}.test",
        is_24x7=on_call,
        last_verified=last_verified,
    )


@pytest.fixture
def constituency() -> dict[str, Organisation]:
    """Two registries (one covered 24x7), a registrar without any contact, a vendor."""
    covered = make_org(OrganisationKind.CCTLD_REGISTRY, "Registry Covered")
    uncovered = make_org(OrganisationKind.CCTLD_REGISTRY, "Registry Daytime")
    registrar = make_org(OrganisationKind.REGISTRAR, "Registrar Silent")
    vendor = make_org(OrganisationKind.VENDOR, "Vendor Soft")
    add_contact(covered, "Duty Desk", on_call=True, verified_days_ago=30)
    add_contact(covered, "Old Friend", on_call=False, verified_days_ago=400)
    add_contact(uncovered, "Office Hours", on_call=False, verified_days_ago=None)
    add_contact(vendor, "Vendor PSIRT", on_call=True, verified_days_ago=10)
    return {"covered": covered, "uncovered": uncovered, "registrar": registrar, "vendor": vendor}


def test_it_counts_organisations_contacts_and_24x7_gaps(constituency) -> None:
    figures = dashboard.directory_figures()
    assert figures.organisation_total == 4
    assert [(row.kind, row.count) for row in figures.organisations_by_kind] == [
        (OrganisationKind.CCTLD_REGISTRY, 2),
        (OrganisationKind.REGISTRAR, 1),
        (OrganisationKind.VENDOR, 1),
    ]
    assert figures.contact_total == 4
    assert figures.contacts_24x7 == 2
    assert figures.contacts_stale == 2  # verified 400 days ago, and never verified
    assert figures.organisations_without_24x7 == 2
    assert [o.name for o in figures.organisations_without_24x7_sample] == [
        "Registrar Silent",
        "Registry Daytime",
    ]


def test_it_shows_staff_the_figures_and_recent_activity(client: Client, constituency) -> None:
    user = staff()
    AuditEvent.objects.create(
        actor=user,
        actor_label=user.username,
        action=AuditEvent.Action.CREATE,
        object_type="directory.organisation",
        object_repr="Registry Covered",
        tlp="AMBER",
    )
    JobRun.objects.create(name="dnshealth.measure_zone", status=JobRun.Status.FAILED, error="boom")
    login_verified(client, user)
    html = client.get("/home/").content.decode()
    assert "Registry Daytime" in html and "Registrar Silent" in html
    gap_link = f'href="/directory/organisations/{constituency["uncovered"].short_name}/"'
    assert gap_link in html
    assert 'href="/directory/?has_24x7=false"' in html
    assert 'href="/directory/contacts/?stale=true"' in html
    assert 'href="/directory/?kind=cctld_registry"' in html
    assert "Registry Covered</li>" not in html
    assert '<span class="badge tlp-amber">TLP:AMBER</span>' in html
    assert "dnshealth.measure_zone" in html
    assert 'id="kind-chart-data"' in html
    assert "web/vendor/chart.umd.min.js" in html


def test_it_keeps_the_staff_home_to_a_few_queries(
    client: Client, constituency, django_assert_max_num_queries
) -> None:
    user = staff()
    for number in range(15):
        make_org(OrganisationKind.REGISTRAR, f"Registrar {number}")
        JobRun.objects.create(name=f"job.{number}")
        AuditEvent.objects.create(actor=user, action=AuditEvent.Action.UPDATE)
    login_verified(client, user)
    with django_assert_max_num_queries(10):
        response = client.get("/home/")
    assert response.status_code == 200


def fill_assets(org: Organisation) -> None:
    Zone.objects.create(name="example.", kind=ZoneKind.TLD, organisation=org)
    NameserverHost.objects.create(
        hostname="ns1.nic.example.", addresses=["192.0.2.53"], organisation=org
    )
    NetworkPrefix.objects.create(prefix="192.0.2.0/24", organisation=org)
    AutonomousSystem.objects.create(asn=64500, organisation=org)
    Product.objects.create(name="ExampleDNS", kind=ProductKind.AUTHORITATIVE, vendor=org)


def test_it_shows_members_their_organisation_contacts_and_assets(client: Client) -> None:
    org = make_org(OrganisationKind.CCTLD_REGISTRY, "Example Registry")
    add_contact(org, "Night Shift", on_call=True, verified_days_ago=5)
    fill_assets(org)
    other = make_org(OrganisationKind.CCTLD_REGISTRY, "Other Registry")
    add_contact(other, "Someone Else", on_call=True, verified_days_ago=5)
    client.force_login(member(org))
    html = client.get("/portal/").content.decode()
    for text in (
        "Example Registry",
        "Night Shift",
        "example.",
        "ns1.nic.example.",
        "192.0.2.0/24",
        "AS64500",
        "ExampleDNS",
    ):
        assert text in html
    assert "Someone Else" not in html


def test_it_keeps_the_portal_home_to_a_few_queries(
    client: Client, django_assert_max_num_queries
) -> None:
    org = make_org(OrganisationKind.CCTLD_REGISTRY, "Busy Registry")
    fill_assets(org)
    for number in range(10):
        add_contact(org, f"Contact {number}", on_call=number == 0, verified_days_ago=number)
    client.force_login(member(org))
    with django_assert_max_num_queries(10):
        response = client.get("/portal/")
    assert response.status_code == 200


def test_it_shows_members_their_organisation_profile(client: Client) -> None:
    org = make_org(OrganisationKind.REGISTRAR, "Registrar Client")
    provider = make_org(OrganisationKind.DNS_OPERATOR, "Operator Provider")
    provider.clients.add(org)
    client.force_login(member(org))
    html = client.get("/portal/organisation/").content.decode()
    assert "Registrar Client" in html
    assert "Operator Provider" in html


def test_it_tells_a_member_without_organisation_to_contact_the_cert(client: Client) -> None:
    user = member()
    user.organisation = None
    user.save()
    client.force_login(user)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert b"not attached to an organisation" in response.content


def test_it_refuses_the_portal_to_staff(client: Client) -> None:
    login_verified(client, staff())
    assert client.get("/portal/").status_code == 403
