"""Signals are e-mailed to 24x7 contacts and staff; failures are recorded and retried."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings

from dnscert.core.jobs import enqueue, run_pending
from dnscert.dnshealth import services
from dnscert.dnshealth.choices import DeliveryStatus
from dnscert.dnshealth.engine.model import Level
from dnscert.dnshealth.models import Notification, Signal
from dnscert.dnshealth.notifications import MAX_ATTEMPTS, retry_failed
from tests.conftest import find_free_port
from tests.dnshealth.app import factories
from tests.personas import staff

pytestmark = pytest.mark.django_db

BROKEN = [("DELEGATION01", "NOT_ENOUGH_NS_DEL", Level.ERROR)]


def _break_zone() -> Signal:
    org = factories.registry("Registry XA")
    factories.contact(org, "noc@registry.xa")
    factories.contact(org, "astreinte@registry.xa", language="fr")
    factories.contact(org, "sales@registry.xa", is_24x7=False)
    staff(email="analyst@dnscert.example")
    staff(email="")
    target = factories.target(org, "shop.xa.")
    services.record_results(factories.run(), [target], [factories.measurement("shop.xa.", BROKEN)])
    return Signal.objects.get()


def test_it_mails_24x7_contacts_and_staff_in_their_language(smtp_server: Any) -> None:
    signal = _break_zone()
    run_pending(["dnshealth.deliver_notifications"])
    messages = {m["To"]: m for m in smtp_server.wait_for(3)}
    assert sorted(messages) == [
        "analyst@dnscert.example",
        "astreinte@registry.xa",
        "noc@registry.xa",
    ]
    english = messages["noc@registry.xa"]
    assert english["Subject"] == "[dnscert] High: shop.xa. is broken"
    assert "DNS health signal for shop.xa.: Zone became broken." in english.get_content()
    assert "NOT_ENOUGH_NS_DEL" in english.get_content()
    assert f"{django_settings.SITE_URL}/dns/zones/shop.xa./" in english.get_content()
    french = messages["astreinte@registry.xa"].get_content()
    assert "Signal de santé DNS pour shop.xa." in french
    statuses = set(Notification.objects.filter(signal=signal).values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT}


def test_it_records_a_failed_delivery_and_sends_it_on_retry(
    settings: Any, smtp_server: Any
) -> None:
    listening = smtp_server.port
    settings.EMAIL_PORT = find_free_port()  # nobody listens there
    _break_zone()
    run_pending(["dnshealth.deliver_notifications"])
    failed = Notification.objects.filter(status=DeliveryStatus.FAILED)
    assert failed.count() == 3
    assert all(n.attempts == 1 and "Connection refused" in n.last_error for n in failed)
    assert smtp_server.received == []
    settings.EMAIL_PORT = listening
    enqueue("dnshealth.retry_notifications")
    run_pending(["dnshealth.retry_notifications"])
    assert len(smtp_server.wait_for(3)) == 3
    sent = Notification.objects.filter(status=DeliveryStatus.SENT)
    assert sent.count() == 3 and all(n.attempts == 2 and n.last_error == "" for n in sent)


def test_it_stops_retrying_after_the_last_attempt(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = find_free_port()
    _break_zone()
    Notification.objects.update(status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS)
    assert retry_failed() == {"sent": 0, "failed": 0}
