"""Directory service functions: validation, permissions and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dnscert.core.models import AuditEvent
from dnscert.directory import services
from dnscert.directory.choices import OrganisationKind, ZoneKind
from dnscert.directory.models import Contact, Organisation, Zone
from tests.personas import make_org, member, responder, staff

from .conftest import Keys

pytestmark = pytest.mark.django_db


def audit_rows(obj: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(obj.pk),  # type: ignore[attr-defined]
        ).order_by("id")
    )


def test_it_creates_an_organisation_normalised_and_audited() -> None:
    analyst = staff()
    org = services.create_organisation(
        analyst,
        name="Registre XA",
        short_name="Registry-XA",
        kind=OrganisationKind.CCTLD_REGISTRY,
        country="fr",
        languages="fr, en",
        time_zone="Europe/Paris",
    )
    assert (org.short_name, org.country, org.languages) == ("registry-xa", "FR", ["fr", "en"])
    [event] = audit_rows(org)
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor == analyst
    assert event.changes["name"] == "Registre XA"


def test_it_collects_every_field_error_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        services.create_organisation(
            staff(), name="X", short_name="x", kind="nope", country="ZZ", time_zone="Mars/Base"
        )
    assert set(error.value.message_dict) >= {"country"}
    with pytest.raises(ValidationError) as error:
        services.create_organisation(
            staff(), name="X", short_name="x", kind="nope", time_zone="Mars/Base"
        )
    assert set(error.value.message_dict) >= {"kind", "time_zone"}
    assert not Organisation.objects.filter(short_name="x").exists()


def test_it_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError) as error:
        services.create_organisation(staff(), name="X", short_name="x", kind="isp", colour="red")
    assert "colour" in error.value.message_dict


def test_it_writes_nothing_for_an_update_that_changes_nothing() -> None:
    analyst = staff()
    org = services.create_organisation(analyst, name="A", short_name="a", kind="isp")
    services.update_organisation(analyst, org, name="A", kind="isp")
    assert len(audit_rows(org)) == 1
    services.update_organisation(analyst, org, name="A Renamed")
    events = audit_rows(org)
    assert events[-1].action == AuditEvent.Action.UPDATE
    assert events[-1].changes == {"name": ["A", "A Renamed"]}


def test_it_lets_only_staff_change_organisations() -> None:
    org = make_org()
    for user in (responder(), member(org)):
        with pytest.raises(PermissionDenied):
            services.update_organisation(user, org, name="Hijacked")
        with pytest.raises(PermissionDenied):
            services.create_zone(user, org, name="evil.xa.")
    org.refresh_from_db()
    assert org.name != "Hijacked"
    assert not Zone.objects.exists()


def test_it_lets_the_platform_act_without_a_user() -> None:
    org = services.create_organisation(None, name="Sys", short_name="sys", kind="isp")
    assert audit_rows(org)[0].actor_label == "system"


def test_it_registers_what_an_organisation_runs() -> None:
    analyst, org = staff(), make_org()
    root = services.create_zone(analyst, org, name=".")
    tld = services.create_zone(analyst, org, name="XA")
    zone = services.create_zone(analyst, org, name="shop.xa", monitored=False)
    host = services.create_nameserver(analyst, org, hostname="A.NIC.XA", addresses="192.0.2.1")
    prefix = services.create_prefix(analyst, org, prefix="2001:DB8:0::/48")
    system = services.create_asn(analyst, org, asn="AS64496")
    product = services.create_product(analyst, org, name="Resolvd", kind="resolver")
    assert [root.kind, tld.kind, zone.kind] == [ZoneKind.ROOT, ZoneKind.TLD, ZoneKind.ZONE]
    assert (tld.name, zone.monitored) == ("xa.", False)
    assert (host.hostname, host.addresses) == ("a.nic.xa.", ["192.0.2.1"])
    assert (prefix.prefix, system.asn, product.vendor) == ("2001:db8::/48", 64496, org)
    for item in (root, tld, zone, host, prefix, system, product):
        assert audit_rows(item)[0].action == AuditEvent.Action.CREATE


def test_it_refuses_a_zone_registered_twice() -> None:
    analyst = staff()
    services.create_zone(analyst, make_org(), name="xa.")
    with pytest.raises(ValidationError) as error:
        services.create_zone(analyst, make_org(), name="XA")
    assert "name" in error.value.message_dict


def test_it_updates_and_deletes_items_with_audit_rows() -> None:
    analyst, org = staff(), make_org()
    host = services.create_nameserver(analyst, org, hostname="ns1.xa.")
    services.update_nameserver(analyst, host, addresses=["192.0.2.53"])
    pk = host.pk
    services.delete_nameserver(analyst, host)
    actions = list(
        AuditEvent.objects.filter(object_id=str(pk), object_type="directory.nameserverhost")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_it_lets_members_maintain_their_own_contacts_only() -> None:
    own, other = make_org(), make_org()
    person = member(own)
    contact = services.create_contact(
        person, own, name="NOC", email="NOC@Registry.Example", phone="+33 1 99 00 10 01"
    )
    assert (contact.email, contact.phone) == ("noc@registry.example", "+33199001001")
    services.update_contact(person, contact, is_24x7=True)
    with pytest.raises(PermissionDenied):
        services.create_contact(person, other, name="Intruder", email="x@other.example")
    with pytest.raises(PermissionDenied):
        services.update_contact(person, contact, organisation=other)
    stranger = services.create_contact(staff(), other, name="Them", email="them@other.example")
    with pytest.raises(PermissionDenied):
        services.delete_contact(person, stranger)
    with pytest.raises(PermissionDenied):
        services.update_contact(responder(), contact, name="Renamed")
    services.delete_contact(person, contact)
    assert list(Contact.objects.all()) == [stranger]


def test_it_rejects_a_bad_phone_naming_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        services.create_contact(staff(), make_org(), name="N", email="n@x.example", phone="+33 abc")
    assert "phone" in error.value.message_dict
    assert "letters" in error.value.message_dict["phone"][0]


def test_it_sets_the_fingerprint_from_a_pgp_key(pgp_keys: Keys) -> None:
    contact = services.create_contact(
        staff(), make_org(), name="CSIRT", email="csirt@x.example", pgp_key=pgp_keys.valid.armoured
    )
    assert contact.pgp_fingerprint == pgp_keys.valid.fingerprint


def test_it_refuses_a_key_that_does_not_match_the_fingerprint(pgp_keys: Keys) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_contact(
            staff(),
            make_org(),
            name="CSIRT",
            email="csirt@x.example",
            pgp_key=pgp_keys.valid.armoured,
            pgp_fingerprint=pgp_keys.other.fingerprint,
        )
    assert "does not match" in error.value.message_dict["pgp_key"][0]
    assert not Contact.objects.exists()


def test_it_marks_a_contact_verified_today() -> None:
    contact = services.create_contact(
        staff(), make_org(), name="N", email="n@x.example", last_verified="2020-01-01"
    )
    assert contact.needs_verification
    services.mark_contact_verified(staff(), contact)
    contact.refresh_from_db()
    assert contact.last_verified == timezone.localdate()
    assert not contact.needs_verification
    assert audit_rows(contact)[-1].changes["last_verified"][1] == str(timezone.localdate())


def test_it_flags_contacts_not_verified_for_a_year() -> None:
    today = timezone.localdate()
    assert Contact(last_verified=None).needs_verification
    assert Contact(last_verified=today - datetime.timedelta(days=366)).needs_verification
    assert not Contact(last_verified=today - datetime.timedelta(days=300)).needs_verification


def test_it_sets_clients_and_refuses_self_service() -> None:
    analyst = staff()
    cert, registry = make_org(OrganisationKind.NATIONAL_CERT), make_org()
    services.set_organisation_clients(analyst, cert, [registry])
    assert list(cert.clients.all()) == [registry]
    with pytest.raises(ValidationError):
        services.set_organisation_clients(analyst, cert, [cert])


def test_it_refuses_to_delete_an_organisation_with_user_accounts() -> None:
    org = make_org()
    member(org)
    with pytest.raises(ValidationError, match="still referenced"):
        services.delete_organisation(staff(), org)
    assert Organisation.objects.filter(pk=org.pk).exists()
