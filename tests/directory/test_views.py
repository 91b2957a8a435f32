"""Web pages of the directory: who sees and changes what, search, filters, forms, import."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dnscert.directory import services
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Contact, Organisation, Zone
from tests.personas import login_verified, make_org, member, responder, staff

from .conftest import Keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> Organisation:
    org = make_org(OrganisationKind.CCTLD_REGISTRY, "Registre XA")
    services.update_organisation(None, org, country="FR", iana_id=None)
    services.create_zone(None, org, name="xa.")
    services.create_contact(
        None, org, name="noc", email="noc@registre-xa.example", is_24x7=True, languages=["fr"]
    )
    services.create_contact(
        None,
        org,
        name="Old Contact",
        email="old@registre-xa.example",
        last_verified=timezone.localdate() - datetime.timedelta(days=400),
    )
    return org


@pytest.fixture
def registrar() -> Organisation:
    org = make_org(OrganisationKind.REGISTRAR, "Names Registrar")
    services.update_organisation(None, org, iana_id=9001, country="DE")
    services.create_contact(None, org, name="abuse", email="abuse@names.example", languages=["de"])
    return org


def signed_in(user: object) -> Client:
    return login_verified(Client(), user)


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, registry: Organisation) -> None:
    pages = [
        reverse("directory:organisation-list"),
        reverse("directory:organisation-detail", args=[registry.short_name]),
        reverse("directory:contact-list"),
        reverse("directory:export"),
        reverse("directory:import"),
        reverse("directory:organisation-create"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert "login" in response["Location"]


def test_it_lists_and_filters_organisations(
    registry: Organisation, registrar: Organisation
) -> None:
    client = signed_in(staff())
    url = reverse("directory:organisation-list")
    page = client.get(url).content.decode()
    assert "Registre XA" in page and "Names Registrar" in page
    assert "Registre XA" in client.get(url, {"q": "xa."}).content.decode()
    by_iana = client.get(url, {"q": "9001"}).content.decode()
    assert "Names Registrar" in by_iana and "Registre XA" not in by_iana
    by_kind = client.get(url, {"kind": "registrar"}).content.decode()
    assert "Names Registrar" in by_kind and "Registre XA" not in by_kind
    by_country = client.get(url, {"country": "fr"}).content.decode()
    assert "Registre XA" in by_country and "Names Registrar" not in by_country
    uncovered = client.get(url, {"has_24x7": "false"}).content.decode()
    assert "Names Registrar" in uncovered and "Registre XA" not in uncovered


def test_it_paginates_the_organisation_list() -> None:
    for number in range(30):
        make_org(name=f"Org {number:02d}")
    client = signed_in(staff())
    url = reverse("directory:organisation-list")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "Org 00" in first and "Org 29" not in first
    assert "Org 29" in second and "Page 2 of 2" in second


def test_it_shows_members_only_their_own_organisation(
    registry: Organisation, registrar: Organisation
) -> None:
    client = signed_in(member(registry))
    page = client.get(reverse("directory:organisation-list")).content.decode()
    assert "Registre XA" in page and "Names Registrar" not in page
    other = client.get(reverse("directory:organisation-detail", args=[registrar.short_name]))
    assert other.status_code == 404
    contacts = client.get(reverse("directory:contact-list")).content.decode()
    assert "noc@registre-xa.example" in contacts and "abuse@names.example" not in contacts


def test_it_shows_an_organisation_with_stale_contacts_highlighted(registry: Organisation) -> None:
    client = signed_in(responder())
    page = client.get(reverse("directory:organisation-detail", args=[registry.short_name]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "xa." in text and "noc@registre-xa.example" in text
    assert 'class="stale"' in text and "not verified for over a year" in text
    assert reverse("directory:organisation-edit", args=[registry.short_name]) not in text


def test_it_lets_staff_create_and_edit_organisations(registry: Organisation) -> None:
    client = signed_in(staff())
    response = client.post(
        reverse("directory:organisation-create"),
        {
            "name": "XB Registry",
            "short_name": "XB-Registry",
            "kind": "cctld_registry",
            "country": "jp",
            "languages": "ja, en",
            "time_zone": "Asia/Tokyo",
            "membership": "operational",
            "clients": [registry.pk],
        },
    )
    assert response.status_code == 302
    created = Organisation.objects.get(short_name="xb-registry")
    assert (created.country, created.languages) == ("JP", ["ja", "en"])
    assert list(created.clients.all()) == [registry]
    response = client.post(
        reverse("directory:organisation-edit", args=["xb-registry"]),
        {
            "name": "XB Registry Inc",
            "short_name": "xb-registry",
            "kind": "cctld_registry",
            "time_zone": "Mars/Base",
            "membership": "operational",
        },
    )
    assert response.status_code == 200
    assert "Mars/Base" in response.content.decode()
    created.refresh_from_db()
    assert created.name == "XB Registry"


def test_it_refuses_organisation_forms_to_others(registry: Organisation) -> None:
    for user in (responder(), member(registry)):
        client = signed_in(user)
        assert client.get(reverse("directory:organisation-create")).status_code == 403
        edit = reverse("directory:organisation-edit", args=[registry.short_name])
        assert client.post(edit, {"name": "Hijacked"}).status_code == 403
        add = reverse("directory:item-add", args=[registry.short_name, "zones"])
        assert client.post(add, {"name": "evil.xa."}).status_code == 403
    registry.refresh_from_db()
    assert registry.name == "Registre XA"
    assert not Zone.objects.filter(name="evil.xa.").exists()


def test_it_adds_and_removes_items_inline(registry: Organisation) -> None:
    client = signed_in(staff())
    detail = reverse("directory:organisation-detail", args=[registry.short_name])
    add = reverse("directory:item-add", args=[registry.short_name, "nameservers"])
    response = client.post(add, {"hostname": "A.NIC.XA", "addresses": "192.0.2.1 2001:db8::1"})
    assert response.status_code == 302 and response["Location"] == detail
    host = registry.nameservers.get()
    assert host.addresses == ["192.0.2.1", "2001:db8::1"]
    client.post(
        reverse("directory:item-add", args=[registry.short_name, "prefixes"]),
        {"network": "192.0.2.0/24"},
    )
    client.post(
        reverse("directory:item-add", args=[registry.short_name, "asns"]), {"asn": "AS64496"}
    )
    client.post(
        reverse("directory:item-add", args=[registry.short_name, "products"]),
        {"name": "Registry Box", "kind": "registry_system"},
    )
    assert registry.prefixes.get().prefix == "192.0.2.0/24"
    assert registry.asns.get().asn == 64496
    assert registry.products.get().name == "Registry Box"
    bad = client.post(
        reverse("directory:item-add", args=[registry.short_name, "prefixes"]),
        {"network": "192.0.2.1/24"},
        follow=True,
    )
    assert "host bits" in bad.content.decode()
    delete = reverse("directory:item-delete", args=[registry.short_name, "nameservers", host.pk])
    assert client.post(delete).status_code == 302
    assert not registry.nameservers.exists()
    unknown = reverse("directory:item-add", args=[registry.short_name, "users"])
    assert client.post(unknown, {}).status_code == 404


def test_it_lets_members_maintain_their_contacts(
    registry: Organisation, registrar: Organisation
) -> None:
    client = signed_in(member(registry))
    create = reverse("directory:contact-create", args=[registry.short_name])
    response = client.post(
        create,
        {
            "name": "Night shift",
            "email": "Night@Registre-XA.example",
            "phone": "+33 1 99 00 10 09",
            "languages": "fr",
            "time_zone": "Europe/Paris",
            "is_24x7": "on",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(email="night@registre-xa.example")
    assert (contact.phone, contact.is_24x7) == ("+33199001009", True)
    bad = client.post(
        create,
        {"name": "X", "email": "x@registre-xa.example", "phone": "+33 CALL", "time_zone": "UTC"},
    )
    assert bad.status_code == 200 and "letters" in bad.content.decode()
    other = registrar.contacts.get()
    assert client.get(reverse("directory:contact-edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("directory:contact-delete", args=[other.pk])).status_code == 404
    forbidden = reverse("directory:contact-create", args=[registrar.short_name])
    assert client.post(forbidden, {"name": "X", "email": "x@x.example"}).status_code == 404
    assert registrar.contacts.count() == 1


def test_it_refuses_contact_changes_to_responders(registry: Organisation) -> None:
    client = signed_in(responder())
    contact = registry.contacts.first()
    assert contact is not None
    create = reverse("directory:contact-create", args=[registry.short_name])
    assert client.get(create).status_code == 403
    assert client.post(reverse("directory:contact-verify", args=[contact.pk])).status_code == 403
    assert client.post(reverse("directory:contact-delete", args=[contact.pk])).status_code == 403


def test_it_edits_a_contact_with_a_pgp_key(registry: Organisation, pgp_keys: Keys) -> None:
    client = signed_in(staff())
    contact = registry.contacts.get(name="noc")
    response = client.post(
        reverse("directory:contact-edit", args=[contact.pk]),
        {
            "name": "noc",
            "email": contact.email,
            "time_zone": "UTC",
            "pgp_key": pgp_keys.valid.armoured,
            "is_role_mailbox": "on",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.pgp_fingerprint == pgp_keys.valid.fingerprint
    refused = client.post(
        reverse("directory:contact-edit", args=[contact.pk]),
        {"name": "noc", "email": contact.email, "time_zone": "UTC", "pgp_key": pgp_keys.secret},
    )
    assert "secret key" in refused.content.decode()


def test_it_marks_a_contact_verified_today(registry: Organisation) -> None:
    client = signed_in(member(registry))
    contact = registry.contacts.get(name="Old Contact")
    response = client.post(
        reverse("directory:contact-verify", args=[contact.pk]),
        {"next": reverse("directory:contact-list")},
    )
    assert response["Location"] == reverse("directory:contact-list")
    contact.refresh_from_db()
    assert contact.last_verified == timezone.localdate()


def test_it_filters_contacts(registry: Organisation, registrar: Organisation) -> None:
    client = signed_in(staff())
    url = reverse("directory:contact-list")

    def emails(params: dict[str, str]) -> set[str]:
        text = client.get(url, params).content.decode()
        known = ["noc@registre-xa.example", "old@registre-xa.example", "abuse@names.example"]
        return {email for email in known if f"mailto:{email}" in text}

    assert emails({"is_24x7": "true"}) == {"noc@registre-xa.example"}
    assert emails({"language": "de"}) == {"abuse@names.example"}
    assert emails({"organisation_kind": "registrar"}) == {"abuse@names.example"}
    assert "old@registre-xa.example" in emails({"stale": "true"})
    assert emails({"q": "abuse"}) == {"abuse@names.example"}


def test_it_imports_from_the_upload_page() -> None:
    client = signed_in(staff())
    url = reverse("directory:import")
    assert client.get(url).status_code == 200
    good = SimpleUploadedFile("orgs.csv", b"short_name,name,kind\nnew-org,New Org,isp\n")
    response = client.post(url, {"file": good})
    assert response.status_code == 200
    assert Organisation.objects.filter(short_name="new-org").exists()
    assert "organisations" in response.content.decode()
    bad = SimpleUploadedFile("orgs.csv", b"short_name,name,kind\na,A,nope\nb,B,nope\n")
    response = client.post(url, {"file": bad})
    text = response.content.decode()
    assert response.status_code == 400
    assert "row 2, field kind" in text and "row 3, field kind" in text
    assert not Organisation.objects.filter(short_name__in=["a", "b"]).exists()


def test_it_refuses_the_import_page_to_others() -> None:
    for user in (responder(), member()):
        client = signed_in(user)
        upload = SimpleUploadedFile("orgs.csv", b"short_name,name,kind\nx,X,isp\n")
        assert client.post(reverse("directory:import"), {"file": upload}).status_code == 403
    assert not Organisation.objects.filter(short_name="x").exists()


def test_it_exports_what_the_user_may_see(registry: Organisation, registrar: Organisation) -> None:
    client = signed_in(member(registry))
    response = client.get(reverse("directory:export"), {"format": "json"})
    assert response["Content-Disposition"].startswith('attachment; filename="directory-')
    names = [org["short_name"] for org in json.loads(response.content)["organisations"]]
    assert names == [registry.short_name]
    contacts = client.get(reverse("directory:export"), {"format": "csv", "entity": "contacts"})
    assert b"noc@registre-xa.example" in contacts.content
    assert b"abuse@names.example" not in contacts.content
    staff_client = signed_in(staff())
    filtered = staff_client.get(reverse("directory:export"), {"format": "csv", "kind": "registrar"})
    assert registrar.short_name.encode() in filtered.content
    assert registry.short_name.encode() not in filtered.content
    assert staff_client.get(reverse("directory:export"), {"format": "xml"}).status_code == 400


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_organisations(count: int) -> None:
    for _ in range(count):
        org = make_org()
        services.create_contact(None, org, name="noc", email=f"noc@{org.short_name}.example")


@pytest.mark.parametrize("url_name", ["directory:organisation-list", "directory:contact-list"])
def test_it_lists_in_a_constant_number_of_queries(url_name: str) -> None:
    client = signed_in(staff())
    url = reverse(url_name)
    add_organisations(3)
    few = queries_for(client, url)
    add_organisations(12)
    assert queries_for(client, url) == few
