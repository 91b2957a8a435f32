"""Pages: the staff list (filters, CSV), detail with deliveries, review queue, rules; the
member portal with acknowledgement; the acknowledgement link; subscription pages; access."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dnscert.advisories.warnings import rules
from dnscert.advisories.warnings.choices import AckVia, WarningStatus
from dnscert.advisories.warnings.models import RuleSetting, Subscription, Warning
from dnscert.core.models import AuditEvent
from tests.advisories.warnings.conftest import registry
from tests.advisories.warnings.factories import warn
from tests.personas import login_verified, member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def _staff_client(client: Client) -> Client:
    return login_verified(client, staff())


def test_staff_list_filters_and_exports_csv(client: Client) -> None:
    xa, xb = registry("xa"), registry("xb")
    first = warn(xa, title="=HYPERLINK(evil)")
    warn(xb, severity="low")
    _staff_client(client)

    page = client.get(reverse("warnings:list"), {"organisation": xa.short_name})
    assert page.status_code == 200
    assert first.reference in page.content.decode()
    assert (
        client.get(reverse("warnings:list"), {"severity": "low"}).context["page"].paginator.count
        == 1
    )
    assert (
        client.get(reverse("warnings:list"), {"acknowledged": "yes"})
        .context["page"]
        .paginator.count
        == 0
    )
    assert client.get(reverse("warnings:list"), {"severity": "purple"}).context["filter"].errors

    export = client.get(reverse("warnings:list"), {"format": "csv", "organisation": xa.short_name})
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("reference,rule,kind") and len(lines) == 2
    assert "'=HYPERLINK(evil)" in lines[1]  # no formula injection into spreadsheets


def test_detail_shows_deliveries_and_staff_record_an_acknowledgement(client: Client) -> None:
    warning = warn(registry("xa"))
    _staff_client(client)
    page = client.get(reverse("warnings:detail", args=[warning.reference])).content.decode()
    assert 'id="delivery"' in page and "noc@nic.xa.example" in page
    client.post(reverse("warnings:staff-acknowledge", args=[warning.reference]))
    warning.refresh_from_db()
    assert warning.acknowledged_via == AckVia.STAFF


def test_review_queue_and_rule_settings_pages(client: Client) -> None:
    _staff_client(client)
    response = client.post(
        reverse("warnings:rule-update", args=["dnshealth.rrsig_expiry"]),
        {
            "dnshealth.rrsig_expiry-enabled": "on",
            "dnshealth.rrsig_expiry-review_required": "on",
            "dnshealth.rrsig_expiry-rate_limit": "5",
        },
    )
    assert response.status_code == 302
    assert RuleSetting.objects.get(rule="dnshealth.rrsig_expiry").review_required
    bad = client.post(
        reverse("warnings:rule-update", args=["dnshealth.rrsig_expiry"]),
        {"dnshealth.rrsig_expiry-rate_limit": "-1"},
        follow=True,
    )
    assert "Rate limit" in bad.content.decode()
    assert client.get(reverse("warnings:rules")).status_code == 200
    assert client.post(reverse("warnings:rule-update", args=["nope"])).status_code == 404

    held = warn(registry("xa"))
    assert held.reference in client.get(reverse("warnings:review")).content.decode()
    client.post(reverse("warnings:approve", args=[held.reference]), {"note": "ok"})
    held.refresh_from_db()
    assert held.status == WarningStatus.SENT and held.review_note == "ok"


def test_members_see_and_acknowledge_their_organisations_warnings_only(client: Client) -> None:
    xa, xb = registry("xa"), registry("xb")
    mine, theirs = warn(xa), warn(xb)
    client.force_login(member(xa))

    listing = client.get(reverse("warnings:portal-list")).content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(reverse("warnings:portal-detail", args=[theirs.reference])).status_code == 404
    client.post(reverse("warnings:portal-detail", args=[mine.reference]))
    mine.refresh_from_db()
    assert mine.acknowledged_via == AckVia.PORTAL
    assert client.get(reverse("warnings:list")).status_code == 403
    assert client.get(reverse("warnings:review")).status_code == 403


def test_the_acknowledgement_link_shows_on_get_and_acknowledges_on_post(client: Client) -> None:
    warning = warn(registry("xa"))
    url = reverse("warnings:ack", args=[warning.ack_token])
    page = client.get(url)
    assert page.status_code == 200 and warning.title in page.content.decode()
    warning.refresh_from_db()
    assert warning.acknowledged_at is None  # a link checker's GET acknowledges nothing
    assert "ack-done" in client.post(url).content.decode()
    warning.refresh_from_db()
    assert warning.acknowledged_via == AckVia.LINK
    assert AuditEvent.objects.filter(object_id=str(warning.pk), action="state").exists()
    assert client.get(reverse("warnings:ack", args=["not-a-token"])).status_code == 404
    assert client.put(url).status_code == 405


def test_members_manage_their_organisations_subscriptions_in_the_portal(client: Client) -> None:
    xa = registry("xa")
    client.force_login(member(xa))
    response = client.post(
        reverse("warnings:subscription-new"),
        {
            "name": "NOC",
            "kinds": ["rrsig_expiry", "advisory"],
            "tlds": "xa, XA.",
            "min_severity": "medium",
            "channels": ["email", "webhook", "atom"],
            "webhook_url": "https://hooks.registry.example/dnscert",
            "language": "fr",
            "active": "on",
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 302
    assert subscription.organisation == xa and subscription.tlds == ["xa"]
    assert len(subscription.webhook_secret) >= 16  # generated for the webhook channel
    page = client.get(reverse("warnings:subscription", args=[subscription.pk])).content.decode()
    assert subscription.feed_token in page and subscription.webhook_secret in page

    bad = client.post(
        reverse("warnings:subscription", args=[subscription.pk]),
        {"name": "NOC", "tlds": "not a tld!", "min_severity": "low", "channels": ["email"],
         "language": "en"},
    )  # fmt: skip
    assert "is not a TLD" in bad.content.decode()
    client.post(reverse("warnings:subscription-delete", args=[subscription.pk]))
    assert not Subscription.objects.exists()


def test_others_subscriptions_are_not_found_and_staff_see_all(client: Client) -> None:
    theirs = Subscription.objects.create(organisation=registry("xb"), name="x", channels=["email"])
    client.force_login(outsider())
    assert client.get(reverse("warnings:subscription", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("warnings:subscription-delete", args=[theirs.pk])).status_code == 404
    _staff_client(client)
    assert "x" in client.get(reverse("warnings:subscriptions")).content.decode()


@pytest.mark.parametrize(
    "name", ["warnings:list", "warnings:review", "warnings:rules", "warnings:subscriptions"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and "login" in response["Location"]


def test_responders_see_the_list_but_not_review(client: Client) -> None:
    warn(registry("xa"), tlp="GREEN")
    login_verified(client, responder())
    assert client.get(reverse("warnings:list")).context["page"].paginator.count == 1
    assert client.get(reverse("warnings:review")).status_code == 403
    assert rules.RULES  # the rules page lists declared rules only
    assert Warning.objects.count() == 1


def test_the_staff_list_needs_few_queries_whatever_its_length(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    xa = registry("xa")
    for _ in range(30):
        warn(xa)
    _staff_client(client)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("warnings:list")).status_code == 200
