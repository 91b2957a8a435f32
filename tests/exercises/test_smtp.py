"""The real SMTP path: a French participant's inject arrives in French, marked as an
exercise in its subject and at both ends of its body, signed; its reply lands as an answer."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from dnscert.core.jobs import run_pending
from dnscert.exercises import services
from dnscert.exercises.mail import BODY_MARK
from dnscert.exercises.models import InjectDelivery
from tests.delivery.helpers import signed_parts
from tests.exercises.factories import Cast

pytestmark = pytest.mark.django_db


def _text(entity: bytes) -> str:
    parsed = email.message_from_bytes(entity, policy=email.policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
    return str(part.get_content())  # type: ignore[attr-defined]


def test_it_mails_a_french_participant_in_french_marked_as_an_exercise(
    cast: Cast, smtp_server: Any
) -> None:
    services.start(cast.exercise, by=cast.control)
    services.deliver(cast.first, by=cast.control)
    run_pending(["delivery.send"])
    received = {m["To"]: m for m in smtp_server.wait_for(2)}
    french = received["noc@nic.xa.example"]
    delivery = InjectDelivery.objects.get(inject=cast.first, participant__organisation=cast.xa)
    assert french["Subject"].startswith("[EXERCISE] ")
    assert delivery.token_label in french["Subject"]
    assert french["X-DNSCERT-Exercise"] == delivery.token_label
    assert french["Reply-To"] == "cert@cert.example"
    entity, _signature = signed_parts(french)
    text = _text(entity).replace("\r\n", "\n")
    assert text.startswith(BODY_MARK + "\n")
    assert text.rstrip().endswith(BODY_MARK)
    assert "Ce message fait partie de l'exercice" in text
    assert "ne le traitez pas comme un incident réel" in text
    assert "TLP:AMBER" in text and "The NS set of xa. changed." in text
    english = _text(signed_parts(received["noc@nic.xb.example"])[0])
    assert "This message is part of the exercise" in english

    reply = f"Re: {french['Subject']}\n\nChangement non planifié.\n\n> {text[:40]}"
    answer = services.acknowledge_reply(reply, sender="noc@nic.xa.example")
    assert answer is not None and answer.delivery == delivery
    assert answer.body.startswith("Re: [EXERCISE]") and "non planifié" in answer.body
