"""Channels: encrypted e-mail to keyed contacts, the private Atom feed, personal
subscriptions, and the warnings raised from delegation changes and intel patterns."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dnscert.advisories.warnings import channels
from dnscert.advisories.warnings.choices import ChannelKind, WarningKind, WarningStatus
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.delivery import pgp
from dnscert.intel.patterns.choices import AlertStatus, ListStatus
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList
from tests.advisories.warnings.conftest import committed, contact, registry
from tests.advisories.warnings.factories import warn
from tests.delivery.conftest import Recipient
from tests.personas import responder, staff

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_channel_is_registered_and_unknown_ones_are_refused() -> None:
    assert set(channels.REGISTRY) == set(ChannelKind.values)
    with pytest.raises(InvalidInput, match="unknown channel"):
        channels.get("pigeon")


def test_it_encrypts_to_a_contact_with_a_pgp_key(smtp_server: Any, recipient: Recipient) -> None:
    xa = registry("xa")
    contact(xa, "csirt@registry.example", key=recipient.public_key)
    warn(xa)
    run_pending()

    received = {m["To"]: m for m in smtp_server.wait_for(2)}
    assert received["noc@nic.xa.example"].get_content_type() == "multipart/signed"
    encrypted = received["csirt@registry.example"]
    assert encrypted.get_content_type() == "multipart/encrypted"
    _control, data = encrypted.get_payload()
    recipient.keyring.run("--import", data=pgp.public_key().encode())
    plaintext = recipient.keyring.run("--decrypt", data=data.get_payload().encode())
    assert b"Re-sign the zone." in plaintext and b"TLP:AMBER" in plaintext
    assert "Good signature" in recipient.keyring.last_stderr
    assert WarningDelivery.objects.get(recipient="csirt@registry.example").encrypted


def test_a_contact_with_an_unusable_key_still_gets_a_signed_mail() -> None:
    xa = registry("xa")
    contact(xa, "broken@registry.example", key="-----BEGIN PGP PUBLIC KEY BLOCK-----\nnope")
    warn(xa)
    delivery = WarningDelivery.objects.get(recipient="broken@registry.example")
    assert not delivery.encrypted and delivery.message.signed


def test_the_atom_feed_lists_what_was_delivered_to_it(client: Client) -> None:
    xa, xb = registry("xa"), registry("xb")
    feed = Subscription.objects.create(organisation=xa, name="feed", channels=[ChannelKind.ATOM])
    mine = warn(xa, title="For xa")
    warn(xb, title="For xb")
    response = client.get(reverse("warnings:feed", args=[feed.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]  # type: ignore[union-attr]
    assert titles == [f"[TLP:AMBER] {mine.reference} For xa"]
    assert not WarningDelivery.objects.filter(recipient="noc@nic.xa.example").exists()
    assert client.get(reverse("warnings:feed", args=["guess"])).status_code == 404
    feed.active = False
    feed.save()
    assert client.get(reverse("warnings:feed", args=[feed.feed_token])).status_code == 404


def test_personal_subscriptions_follow_the_tlp_rule() -> None:
    analyst = staff(email="analyst@dnscert.example")
    helper = responder(email="helper@dnscert.example")
    for user in (analyst, helper):
        Subscription.objects.create(user=user, name="mine", channels=[ChannelKind.EMAIL])
    warn(registry("xa"))  # TLP:AMBER: the responder is not assigned
    recipients = set(WarningDelivery.objects.values_list("recipient", flat=True))
    assert "analyst@dnscert.example" in recipients
    assert "helper@dnscert.example" not in recipients


def test_a_delegation_change_signal_raises_a_delegation_warning(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from dnscert.dnshealth.choices import SignalKind
    from dnscert.dnshealth.models import Signal
    from tests.advisories.warnings.conftest import tld_target

    xa = registry("xa")
    target = tld_target(xa)
    with committed(django_capture_on_commit_callbacks):
        Signal.objects.create(
            kind=SignalKind.DELEGATION_CHANGED,
            target=target,
            organisation=xa,
            severity="high",
            summary="The delegation of xa. changed",
            details={"old_ns": ["a.nic.xa."], "new_ns": ["ns.evil.example."], "reasons": []},
            dedupe_key="delegation_changed:t1:c1",
        )
    warning = Warning.objects.get()
    assert warning.kind == WarningKind.DELEGATION_CHANGE
    assert "ns.evil.example." in warning.body


def test_intel_hand_overs_raise_warnings(django_capture_on_commit_callbacks: Any) -> None:
    xa = registry("xa")
    campaign = DgaCampaign.objects.create(
        family="conficker-b", start_date=date(2026, 1, 1), end_date=date(2026, 1, 7)
    )
    with committed(django_capture_on_commit_callbacks):
        registry_list = RegistryList.objects.create(
            campaign=campaign, tld="xa", organisation=xa, domain_count=250
        )
        registry_list.status = ListStatus.SENT
        registry_list.save()
        ConcentrationAlert.objects.create(
            dimension="tld", key="xa", label="xa", kind="jump", window_start=date(2026, 1, 1),
            window_end=date(2026, 1, 8), baseline_start=date(2025, 12, 1), share=61.0,
            baseline_share=10.0, new_domains=300, total_new_domains=490, events=900,
            organisation=xa, status=AlertStatus.HANDED_OVER,
        )  # fmt: skip
    dga = Warning.objects.get(kind=WarningKind.DGA_LIST)
    assert dga.status == WarningStatus.SENT and "250" in dga.title
    assert not dga.deliveries.exists()  # the list itself went to the 24x7 contacts already
    alert = Warning.objects.get(kind=WarningKind.INTEL_CONCENTRATION)
    assert alert.status == WarningStatus.PENDING_REVIEW and alert.severity == "high"


def test_the_default_goes_to_24x7_contacts_in_their_own_language() -> None:
    xa = registry("xa", language="fr")
    warning = warn(xa)
    message = WarningDelivery.objects.get(warning=warning).message
    assert message.language == "fr"
    assert message.subject.startswith(f"[TLP:AMBER] {warning.reference}")
    assert "Merci de confirmer" in message.body and "/warnings/ack/" in message.body
    assert message.html and "Confirmer cet avertissement" in message.html
