"""The one access rule of the directory."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dnscert.directory import access, services
from dnscert.directory.models import AutonomousSystem, Contact, Product, Zone
from tests.personas import make_org, member, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs() -> tuple:
    own, other = make_org(), make_org()
    for org in (own, other):
        services.create_zone(None, org, name=f"{org.short_name}.xa.")
        services.create_asn(None, org, asn=64496 + org.pk)
        services.create_product(None, org, name=f"Product {org.pk}", kind="resolver")
        services.create_contact(None, org, name="NOC", email=f"noc@{org.short_name}.example")
    return own, other


def test_it_shows_staff_and_responders_everything(two_orgs: tuple) -> None:
    for user in (staff(), responder()):
        assert access.organisations_visible_to(user).count() == 2
        assert access.contacts_visible_to(user).count() == 2
        assert access.visible(user, Zone.objects.all()).count() == 2


def test_it_shows_members_only_their_own_organisation(two_orgs: tuple) -> None:
    own, other = two_orgs
    person = member(own)
    assert list(access.organisations_visible_to(person)) == [own]
    assert {c.organisation for c in access.contacts_visible_to(person)} == {own}
    for model in (Zone, AutonomousSystem, Product):
        items = access.visible(person, model.objects.all())
        assert items.count() == 1
    assert not access.visible(person, Contact.objects.filter(organisation=other)).exists()


def test_it_shows_anonymous_and_inactive_users_nothing(two_orgs: tuple) -> None:
    own, _ = two_orgs
    gone = member(own)
    gone.is_active = False
    for user in (AnonymousUser(), gone, None):
        assert not access.organisations_visible_to(user).exists()
        assert not access.contacts_visible_to(user).exists()


def test_it_lets_members_edit_only_their_own_contacts(two_orgs: tuple) -> None:
    own, other = two_orgs
    person, analyst, helper = member(own), staff(), responder(org=own)
    assert access.can_edit_contacts(person, own)
    assert not access.can_edit_contacts(person, other)
    assert access.can_edit_contacts(analyst, other)
    assert not access.can_edit_contacts(helper, own)
    assert not access.can_edit_organisation(person, own)
    assert access.can_edit_organisation(analyst, own)
    assert not access.can_import(helper)
