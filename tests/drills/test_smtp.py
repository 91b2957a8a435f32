"""The drill message over real SMTP: it reaches an aiosmtpd listener signed, in French for a
French-speaking contact, with the response link and the reply reference; a reply quoting it
counts."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from dnscert.core.jobs import run_pending
from dnscert.directory.drills import services
from dnscert.directory.drills.choices import Outcome
from tests.delivery.helpers import signed_parts
from tests.drills import factories

pytestmark = pytest.mark.django_db


def _text(entity: bytes) -> str:
    parsed = email.message_from_bytes(entity, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
    return str(part.get_content())  # type: ignore[attr-defined]


def test_it_mails_a_french_contact_in_french(smtp_server: Any) -> None:
    factories.registry("xa", languages=["fr", "en"])
    drill = factories.launched()
    run_pending(["delivery.send"])
    (received,) = smtp_server.wait_for(1)
    probe = drill.probes.get()
    assert received["To"] == "noc@nic.xa.example"
    assert received["Subject"].startswith(f"[EXERCICE] Exercice de joignabilité {drill.reference}")
    assert probe.token_label in received["Subject"]
    assert received["X-DNSCERT-Drill"] == probe.token_label
    assert received["Reply-To"] == "intake@cert.example"
    entity, _signature = signed_parts(received)
    text = _text(entity)
    assert "Ceci est un exercice de joignabilité" in text
    assert f"https://cert.example/drills/respond/{probe.token}/" in text
    probe.refresh_from_db()
    assert probe.delivery_status == "sent"
    reply = f"Re: {received['Subject']}\n\nBien reçu."
    answered = services.acknowledge_reply(reply, sender="noc@nic.xa.example")
    assert answered is not None and answered.outcome == Outcome.IN_TIME
