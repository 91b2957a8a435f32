"""Participant notifications: 24x7 contacts, language, PGP signature, TLP and reference."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from dnscert.core.choices import TLP
from dnscert.core.jobs import run_pending
from dnscert.delivery.services import messages_about
from dnscert.incidents import services
from dnscert.incidents.choices import JournalKind
from tests.delivery.helpers import signed_parts
from tests.incidents import factories
from tests.incidents.conftest import RecipientKeyring, Verifier
from tests.personas import login_verified, make_org, staff

pytestmark = pytest.mark.django_db


def _notify(language: str = "en", tlp: str = TLP.AMBER) -> Any:
    incident = factories.incident(tlp=tlp)
    registry = factories.registry("xa", contact_language=language)
    services.add_participant(incident, registry, by=staff())
    run_pending(["incidents.notify_participant"])
    run_pending(["delivery.send"])
    return incident


def test_it_mails_the_24x7_contact_signed_with_tlp_and_reference(
    smtp_server: Any, verifier: Verifier, settings: Any
) -> None:
    settings.DNSCERT_INTAKE_ADDRESS = "intake@cert.example"
    incident = _notify()
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "noc@nic.xa.example"
    assert received["Reply-To"] == "intake@cert.example"
    assert received["Subject"].startswith(f"[TLP:AMBER] [{incident.reference}] ")
    assert received["X-DNSCERT-Ref"] == incident.reference
    entity, signature = signed_parts(received)
    assert b"TLP:AMBER" in entity and incident.reference.encode() in entity
    result = verifier.verify(entity, signature)
    assert result.returncode == 0, result.stderr
    assert b"Good signature" in result.stderr
    (message,) = messages_about(incident)
    assert message.status == "sent" and message.signed
    participant = incident.participants.get()
    assert participant.notified_at is not None
    assert incident.journal.filter(kind=JournalKind.NOTIFICATION).exists()


def test_it_writes_in_the_contact_language(smtp_server: Any) -> None:
    _notify(language="fr", tlp=TLP.RED)
    (received,) = smtp_server.wait_for(1)
    assert received["Subject"].startswith("[TLP:RED] [DNSCERT-")
    entity, _signature = signed_parts(received)
    text = _text(entity)
    assert text.startswith("TLP:RED") and "Le DNS-CERT coordonne l'incident" in text


def _text(entity: bytes) -> str:
    parsed = email.message_from_bytes(entity, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
    return str(part.get_content())  # type: ignore[attr-defined]


def test_an_organisation_without_24x7_contact_is_journaled(smtp_server: Any) -> None:
    incident = factories.incident()
    participant = factories.participant(incident, make_org())
    assert services.notify_participant(participant, by=staff()) == []
    entry = incident.journal.filter(kind=JournalKind.NOTIFICATION).get()
    assert "no 24x7 contact" in entry.text


def test_delivery_failures_show_on_the_incident_page(settings: Any, free_port: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2
    incident = _notify()
    (message,) = messages_about(incident)
    assert message.status in ("retrying", "failed") and message.last_error
    from django.test import Client

    page = login_verified(Client(), staff()).get(incident.get_absolute_url())
    html = page.content.decode()
    assert 'id="deliveries"' in html and f'data-status="{message.status}"' in html
    assert "noc@nic.xa.example" in html


def test_a_contact_with_a_key_gets_it_encrypted_and_signed(
    smtp_server: Any, recipient_keyring: RecipientKeyring
) -> None:
    incident = factories.incident()
    registry = factories.registry("xa", key=recipient_keyring.public_key)
    services.add_participant(incident, registry, by=staff())
    run_pending(["incidents.notify_participant"])
    run_pending(["delivery.send"])
    (received,) = smtp_server.wait_for(1)
    assert received.get_content_type() == "multipart/encrypted"
    armoured = received.get_payload()[1].get_payload(decode=True)  # type: ignore[index,union-attr]
    result = recipient_keyring.decrypt(armoured)
    assert result.returncode == 0, result.stderr
    assert b"Good signature" in result.stderr
    assert incident.reference.encode() in result.stdout
    assert messages_about(incident).get().encrypted


def test_an_unusable_key_falls_back_to_a_signed_message(smtp_server: Any) -> None:
    incident = factories.incident()
    registry = factories.registry("xa", key="-----BEGIN PGP PUBLIC KEY BLOCK-----\nrubbish\n")
    services.add_participant(incident, registry, by=staff())
    run_pending(["incidents.notify_participant"])
    run_pending(["delivery.send"])
    (received,) = smtp_server.wait_for(1)
    assert received.get_content_type() == "multipart/signed"
    message = messages_about(incident).get()
    assert message.signed and not message.encrypted
